using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nexwatt.HardwareSim.Enphase;

/// <summary>
/// The gateway's self-signed TLS certificate, generated at start as a real gateway's is at manufacture (CN "envoy",
/// SAN localhost and 127.0.0.1). <see cref="Change"/> makes a new one, for the "certificate that changes" fault: a
/// client that pinned the old fingerprint must refuse the new one.
/// </summary>
internal sealed class GatewayCertificate : IDisposable
{
    private X509Certificate2 _current;

    public GatewayCertificate(string serial) 
    {
        Serial = serial;
        _current = Create(serial);
    }

    public string Serial { get; }

    public X509Certificate2 Current => Volatile.Read(ref _current);

    /// <summary>SHA-256 of the DER certificate, upper-case hex without separators.</summary>
    public string Fingerprint => Current.GetCertHashString(HashAlgorithmName.SHA256);

    public void Change()
    {
        // The old certificate is not disposed: a handshake in progress may still hold it.
        Volatile.Write(ref _current, Create(Serial));
    }

    public void Dispose() => Current.Dispose();

    private static X509Certificate2 Create(string serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=envoy, OU=Enphase Energy Simulated {serial}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("envoy.local");
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
