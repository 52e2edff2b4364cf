using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nexwatt.Testing;

/// <summary>
/// A throw-away certificate authority for TLS tests, written as PEM files: a CA, a server certificate for
/// localhost / 127.0.0.1 and a client certificate, all signed by the CA (ECDSA P-256). Also issues more client
/// certificates, and a second, unrelated CA for "untrusted" cases. The folder is deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly X509Certificate2 _ca;
    private readonly ECDsa _caKey;

    private TestCertificates(string directory, X509Certificate2 ca, ECDsa caKey)
    {
        Directory = directory;
        _ca = ca;
        _caKey = caKey;
        CaCertificateFile = Path.Combine(directory, "ca.crt");
        File.WriteAllText(CaCertificateFile, ca.ExportCertificatePem());
    }

    /// <summary>The folder holding every file.</summary>
    public string Directory { get; }

    /// <summary>PEM of the CA certificate.</summary>
    public string CaCertificateFile { get; }

    /// <summary>PEM of the server certificate (CN=localhost, SAN DNS:localhost and IP:127.0.0.1).</summary>
    public string ServerCertificateFile { get; private set; } = "";

    /// <summary>PEM (PKCS#8) of the server key.</summary>
    public string ServerKeyFile { get; private set; } = "";

    /// <summary>PEM of a client certificate (CN=nexwatt-test-client).</summary>
    public string ClientCertificateFile { get; private set; } = "";

    /// <summary>PEM (PKCS#8) of the client key.</summary>
    public string ClientKeyFile { get; private set; } = "";

    /// <summary>Creates the CA, the server and the client certificates in a new temporary folder.</summary>
    public static TestCertificates Create(string serverName = "localhost", string caName = "Nexwatt Test CA")
    {
        var directory = Path.Combine(Path.GetTempPath(), "nexwatt-certs-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={caName}", caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var ca = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
        var certificates = new TestCertificates(directory, ca, caKey);
        (certificates.ServerCertificateFile, certificates.ServerKeyFile) = certificates.Issue("server", serverName, server: true);
        (certificates.ClientCertificateFile, certificates.ClientKeyFile) = certificates.Issue("client", "nexwatt-test-client", server: false);
        return certificates;
    }

    /// <summary>Issues another client certificate signed by this CA; returns the PEM certificate and key files.</summary>
    public (string CertificateFile, string KeyFile) IssueClientCertificate(string commonName) => Issue("client-" + commonName, commonName, server: false);

    private (string CertificateFile, string KeyFile) Issue(string fileStem, string commonName, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(commonName);
            if (commonName != "localhost") names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var issued = request.Create(_ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), now.AddDays(-1), now.AddYears(2), serial);
        var certificateFile = Path.Combine(Directory, fileStem + ".crt");
        var keyFile = Path.Combine(Directory, fileStem + ".key");
        File.WriteAllText(certificateFile, issued.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificateFile, keyFile);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
