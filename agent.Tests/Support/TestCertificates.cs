using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Agent.Tests.Support;

/// <summary>
/// A throwaway CA and the certificates it signs, made in-process (CertificateRequest) and written
/// as PEM files, the form Prometheus, Loki and the agent read.
/// </summary>
public sealed class TestCa : IDisposable
{
    private readonly ECDsa _key;

    public TestCa(string dir, string name)
    {
        Directory.CreateDirectory(dir);
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        Name = name;
        Dir = dir;
        CertFile = Path.Combine(dir, $"{name}.crt");
        File.WriteAllText(CertFile, Certificate.ExportCertificatePem() + "\n");
    }

    public string Name { get; }
    public string Dir { get; }
    public X509Certificate2 Certificate { get; }
    /// <summary>The CA certificate in PEM: what ca_file / client_ca_file point at.</summary>
    public string CertFile { get; }

    /// <summary>A server certificate for 127.0.0.1 and localhost (and <paramref name="dnsName"/>), written as name.crt / name.key.</summary>
    public (string CertFile, string KeyFile) Server(string name, string dnsName = "localhost", DateTimeOffset? notAfter = null) =>
        Issue(name, dnsName, server: true, notAfter);

    /// <summary>A client certificate (extended key usage client auth), written as name.crt / name.key.</summary>
    public (string CertFile, string KeyFile) Client(string name) => Issue(name, name, server: false, null);

    private (string, string) Issue(string name, string dnsName, bool server, DateTimeOffset? notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dnsName);
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        var notBefore = DateTimeOffset.UtcNow.AddHours(-1);
        var end = notAfter ?? DateTimeOffset.UtcNow.AddDays(7);
        using var signed = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), notBefore, end, serial);
        var certFile = Path.Combine(Dir, $"{name}.crt");
        var keyFile = Path.Combine(Dir, $"{name}.key");
        File.WriteAllText(certFile, signed.ExportCertificatePem() + "\n");
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem() + "\n");
        return (certFile, keyFile);
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }
}
