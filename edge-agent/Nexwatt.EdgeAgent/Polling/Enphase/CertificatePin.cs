using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nexwatt.Protocols.Enphase;

namespace Nexwatt.EdgeAgent.Polling.Enphase;

/// <summary>
/// Trust on first use of a gateway's self-signed certificate: its SHA-256 is written to a pin file the first time and
/// every later handshake must present the same certificate. A different one is refused (no accept-any fallback);
/// the error names both fingerprints and how to re-pin: delete the pin file, or run
/// <c>nexwatt-agent read --enphase URL --pin NEW</c> with the new fingerprint after checking it at the gateway.
/// </summary>
internal sealed class CertificatePin(string pinFile, string url)
{
    private readonly object _gate = new();

    public string PinFile { get; } = pinFile;

    /// <summary>Set when this process pinned a certificate it had not seen before.</summary>
    public string? NewlyPinned { get; private set; }

    /// <summary>Set when the gateway presented a certificate other than the pinned one.</summary>
    public EnphaseCertificateException? Mismatch { get; private set; }

    /// <summary>The pin file of a gateway URL in the agent's state directory, shared by the agent and the read command.</summary>
    public static string DefaultFile(string stateDirectory, Uri url) => Path.Combine(stateDirectory, $"enphase-{url.Host}_{url.Port}.pin");

    /// <summary>The agent's state directory: the folder of the buffer's default file ($STATE_DIRECTORY, $XDG_STATE_HOME/nexwatt-agent…).</summary>
    public static string DefaultStateDirectory() => Path.GetDirectoryName(new Buffer.BufferOptions().EffectivePath)!;

    public static string Fingerprint(X509Certificate certificate) => Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));

    /// <summary>Pins <paramref name="fingerprint"/> ahead of the first handshake (the read command's --pin).</summary>
    public void Pin(string fingerprint)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(PinFile))!);
        File.WriteAllText(PinFile, Normalize(fingerprint) + "\n");
    }

    /// <summary>The handshake callback: true only for the pinned certificate (or the first one, which is then pinned).</summary>
    public bool Accept(X509Certificate? certificate)
    {
        if (certificate is null) return false;
        var presented = Fingerprint(certificate);
        lock (_gate)
        {
            if (!File.Exists(PinFile))
            {
                Pin(presented);
                NewlyPinned = presented;
                return true;
            }
            var pinned = Normalize(File.ReadAllText(PinFile));
            if (pinned == presented) { Mismatch = null; return true; }
            Mismatch = new EnphaseCertificateException(
                $"{url} presented certificate SHA-256 {presented} but {pinned} is pinned ({PinFile}); if the gateway was replaced or renewed its " +
                $"certificate, check the new fingerprint and re-pin: nexwatt-agent read --enphase {url} --pin {presented} --pin-file {PinFile} (or delete the pin file)");
            return false;
        }
    }

    public static string Normalize(string fingerprint) => fingerprint.Trim().Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
}
