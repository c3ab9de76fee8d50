using Agent.Serving.Web;
using Xunit;

namespace Agent.Tests.Serving.Web;

/// <summary>bcrypt against the OpenBSD / jBCrypt test vectors every implementation checks itself with.</summary>
public sealed class BcryptTests
{
    [Theory]
    [InlineData("", "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.")]
    [InlineData("", "$2a$08$HqWuK6/Ng6sg9gQzbLrgb.Tl.ZHfXLhvt/SgVyWhQqgqcZ7ZuUtye")]
    [InlineData("a", "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe")]
    [InlineData("a", "$2a$10$k87L/MF28Q673VKh8/cPi.SUl7MU/rWuSiIDDFayrKk/1tBsSQu4u")]
    [InlineData("abc", "$2a$10$WvvTPHKwdBJ3uk0Z37EMR.hLA2W6N9AEBhEgrAOljy2Ae5MtaSIUi")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "$2a$10$fVH8e28OQRj9tqiDXs1e1uxpsjN0c7II7YPKXua2NAKYvM6iQk7dq")]
    [InlineData("~!@#$%^&*()      ~!@#$%^&*()PNBFRD", "$2a$10$LgfYWkbzEvQ4JakH7rOvHe0y8pHKF9OaFgwUZ2q7W2FFZmZzJYlfS")]
    [InlineData("", "$2b$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.")]
    [InlineData("", "$2y$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.")]
    public void Verifies_the_reference_vectors_and_refuses_a_changed_password(string password, string hash)
    {
        Assert.True(Bcrypt.Verify(password, hash));
        Assert.False(Bcrypt.Verify(password + "x", hash));
    }

    [Fact]
    public void Hashes_what_it_verifies()
    {
        var hash = Bcrypt.Hash("s3cret", "0123456789abcdef"u8, 4);
        Assert.StartsWith("$2y$04$", hash);
        Assert.Equal(60, hash.Length);
        Assert.True(Bcrypt.Verify("s3cret", hash));
        Assert.False(Bcrypt.Verify("s3cre", hash));
    }

    [Theory]
    [InlineData("plain", "is not a bcrypt hash ($2y$10$ followed by 53 characters, as htpasswd -nBC 10 USER prints it)")]
    [InlineData("$2x$10$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", "bcrypt version 2x is not supported (2a, 2b and 2y are)")]
    [InlineData("$2y$03$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", "bcrypt cost must be 4 to 31")]
    [InlineData("$2y$10$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s!", "'!' is not a bcrypt base64 character")]
    public void Says_why_a_hash_is_not_one(string hash, string problem)
    {
        Assert.False(Bcrypt.TryParse(hash, out _, out var why));
        Assert.Equal(problem, why);
        Assert.False(Bcrypt.Verify("", hash));
    }
}
