using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Agent.Tls;

/// <summary>
/// Verifies a peer's certificate against a CA bundle (or the system's roots), a purpose and a
/// name, and says in one sentence what is wrong: .NET only reports flags, and a user fixing a
/// broken mTLS setup needs to read which certificate, which CA file and why.
/// </summary>
public static class CertificateCheck
{
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <param name="presented">The chain the TLS stack built from what the peer sent: its intermediates are used.</param>
    /// <param name="trusted">Roots to trust instead of the system's (ca_file); null: the system's.</param>
    /// <param name="caFile">Named in the sentence when <paramref name="trusted"/> is given.</param>
    /// <param name="hostname">The name the certificate must carry; null: not checked (a client certificate).</param>
    /// <returns>Null when the certificate is good; else what is wrong with it.</returns>
    public static string? Problem(X509Certificate2 certificate, X509Chain? presented, X509Certificate2Collection? trusted, string caFile, Oid purpose, string? hostname)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.ApplicationPolicy.Add(purpose);
        if (trusted is not null)
        {
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(trusted);
        }
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements) policy.ExtraStore.Add(element.Certificate);
        }
        var who = Describe(certificate);
        if (!chain.Build(certificate))
        {
            var flags = X509ChainStatusFlags.NoError;
            foreach (var status in chain.ChainStatus) flags |= status.Status;
            var roots = trusted is null ? "the system's trusted CAs" : $"a CA in {caFile}";
            if ((flags & X509ChainStatusFlags.NotTimeValid) != 0) return $"{who} is {PemFiles.Validity(Expired(chain) ?? certificate)}";
            if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0) return $"{who} is not signed by {roots}";
            if ((flags & X509ChainStatusFlags.NotValidForUsage) != 0)
            {
                return $"{who} is not meant for {(purpose.Value == ServerAuth.Value ? "server" : "client")} authentication (its extended key usage)";
            }
            if ((flags & X509ChainStatusFlags.NotSignatureValid) != 0) return $"{who} has a signature that does not verify against {roots}";
            return $"{who} does not verify against {roots} ({flags})";
        }
        if (hostname is not null && !certificate.MatchesHostname(hostname))
        {
            return $"{who} is not for {hostname} (it names {Names(certificate)}; set server_name if the URL uses another name)";
        }
        return null;
    }

    private static X509Certificate2? Expired(X509Chain chain)
    {
        var now = DateTime.Now;
        foreach (var element in chain.ChainElements)
        {
            if (element.Certificate.NotAfter < now || element.Certificate.NotBefore > now) return element.Certificate;
        }
        return null;
    }

    /// <summary>"the certificate CN=web-1 (issued by CN=Ops CA)".</summary>
    public static string Describe(X509Certificate2 certificate) =>
        $"the certificate {certificate.Subject} (issued by {certificate.Issuer})";

    /// <summary>The DNS names and IP addresses the certificate is for, or its subject when it has none.</summary>
    private static string Names(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is not X509SubjectAlternativeNameExtension san) continue;
            var names = new List<string>();
            foreach (var dns in san.EnumerateDnsNames()) names.Add(dns);
            foreach (var ip in san.EnumerateIPAddresses()) names.Add(ip.ToString());
            if (names.Count > 0) return string.Join(", ", names);
        }
        return certificate.Subject;
    }
}
