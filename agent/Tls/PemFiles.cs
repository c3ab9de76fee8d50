using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Agent.Telemetry;

namespace Agent.Tls;

/// <summary>A certificate or key file that cannot be used, said as a sentence naming the file.</summary>
public sealed class TlsFileException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>Reads the PEM files TLS is configured with, turning every failure into one sentence that names the file.</summary>
public static class PemFiles
{
    /// <summary>Every certificate in a PEM bundle (a CA file); at least one.</summary>
    public static X509Certificate2Collection Certificates(string path)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, e);
        }
        catch (CryptographicException e)
        {
            throw new TlsFileException($"{path} holds a certificate that cannot be parsed ({ErrorText.Of(e)})", e);
        }
        if (collection.Count == 0) throw new TlsFileException($"{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        return collection;
    }

    /// <summary>
    /// A certificate with its private key, plus any further certificates in the same file (the
    /// intermediates a peer needs to build the chain).
    /// </summary>
    public static (X509Certificate2 Leaf, X509Certificate2Collection Chain) KeyPair(string certFile, string keyFile)
    {
        var chain = Certificates(certFile);
        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(keyFile, e);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new TlsFileException($"{keyFile} holds no private key (PEM, PKCS#8, RSA or EC) that matches the certificate in {certFile}", e);
        }
        chain.RemoveAt(0);
        return (leaf, chain);
    }

    /// <summary>One sentence that names the file once (.NET's own message may repeat it).</summary>
    private static TlsFileException Unreadable(string path, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => new TlsFileException($"{path}: no such file", e),
        UnauthorizedAccessException => new TlsFileException($"{path}: permission denied", e),
        _ => new TlsFileException($"cannot read {path}: {ErrorText.Of(e)}", e),
    };

    /// <summary>Certificate lifetime for a sentence: "valid until 2027-01-01 00:00 UTC".</summary>
    public static string Validity(X509Certificate2 certificate)
    {
        var now = DateTime.UtcNow;
        if (certificate.NotAfter.ToUniversalTime() < now) return $"expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC";
        if (certificate.NotBefore.ToUniversalTime() > now) return $"not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC";
        return $"valid until {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC";
    }
}
