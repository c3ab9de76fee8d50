using Agent.Exporters.Http;
using Xunit;

namespace Agent.Tests.Exporters.Http;

public sealed class EndpointUrlTests
{
    [Theory]
    [InlineData("https://user:pw@mimir.example/api/v1/push", "https://***@mimir.example/api/v1/push")]
    [InlineData("https://logs.example/loki/api/v1/push?api_key=abc&tenant=x", "https://logs.example/loki/api/v1/push?api_key=***&tenant=***")]
    [InlineData("https://u:p@h/p?token=t#frag", "https://***@h/p?token=***#***")]
    [InlineData("https://h/p?flag", "https://h/p?flag")]
    [InlineData("http://proxy:3128", "http://proxy:3128")]
    [InlineData("not a url ?secret=1", "not a url ?secret=***")]
    public void Keeps_credentials_out_of_printed_urls(string url, string shown)
    {
        Assert.Equal(shown, EndpointUrl.Redact(url));
    }
}
