using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Nexwatt.Protocols.Grpc;

/// <summary>
/// <see cref="SocketsHttpHandler"/>s suited to long-lived gRPC calls: HTTP/2 keep-alive pings while calls are open
/// (a dead path is noticed within about a minute even when a stream is idle), more than one HTTP/2 connection
/// when the server's stream limit is reached.
/// </summary>
public static class GrpcHttpHandlers
{
    /// <summary>A handler for cleartext HTTP/2 (h2c, prior knowledge): loopback, or TLS terminated by a proxy in front.</summary>
    public static SocketsHttpHandler CreatePlainText() => CreateBase();

    /// <summary>
    /// A handler for TLS (ALPN h2) that trusts only the certificate authorities in <paramref name="caCertificatePemFile"/>
    /// (the system store is ignored: the CA is pinned; revocation is not checked) and, when both files are given,
    /// presents the client certificate from <paramref name="clientCertificatePemFile"/> with its key from
    /// <paramref name="clientKeyPemFile"/> (PKCS#8 or traditional PEM) for mutual TLS. The server's name must match
    /// the address the client calls.
    /// </summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">A file does not hold what it should.</exception>
    public static SocketsHttpHandler CreateMutualTls(string caCertificatePemFile, string? clientCertificatePemFile = null, string? clientKeyPemFile = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(caCertificatePemFile);
        if ((clientCertificatePemFile is null) != (clientKeyPemFile is null))
            throw new ArgumentException("Give both the client certificate and its key, or neither.");
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(caCertificatePemFile);
        if (authorities.Count == 0) throw new ArgumentException($"{caCertificatePemFile} holds no certificate.", nameof(caCertificatePemFile));
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(authorities);
        var ssl = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        if (clientCertificatePemFile is not null)
        {
            using var ephemeral = X509Certificate2.CreateFromPemFile(clientCertificatePemFile, clientKeyPemFile);
            // Re-imported so the private key is usable by the TLS stack on every platform.
            var certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
            ssl.ClientCertificates = [certificate];
        }
        var handler = CreateBase();
        handler.SslOptions = ssl;
        return handler;
    }

    private static SocketsHttpHandler CreateBase() => new()
    {
        EnableMultipleHttp2Connections = true,
        KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    };
}
