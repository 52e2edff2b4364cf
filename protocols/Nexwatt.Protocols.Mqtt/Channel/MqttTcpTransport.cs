using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Nexwatt.Protocols.Mqtt.Channel;

/// <summary>TCP, optionally wrapped in TLS (<see cref="SslStream"/>) with a custom CA and a client certificate.</summary>
internal sealed class MqttTcpTransport : IMqttTransport
{
    private readonly string _host;
    private readonly int _port;
    private readonly MqttTlsOptions _tls;

    public MqttTcpTransport(MqttClientOptions options)
    {
        _host = options.Host;
        _port = options.Port;
        _tls = options.Tls.Clone();
        Endpoint = options.EndpointName;
    }

    public string Endpoint { get; }

    public async ValueTask<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        // Certificates are (re)loaded per connection: a renewed certificate on disk is picked up at the next reconnect,
        // and a missing file is a connect failure (logged, retried), not a crash.
        var authentication = _tls.Enabled ? MqttTlsSetup.CreateClientOptions(_tls, _host) : null;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_host, _port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var network = new NetworkStream(socket, ownsSocket: true);
        if (authentication is null) return network;
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(authentication, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

/// <summary>Builds the <see cref="SslClientAuthenticationOptions"/> for <see cref="MqttTlsOptions"/>.</summary>
internal static class MqttTlsSetup
{
    public static SslClientAuthenticationOptions CreateClientOptions(MqttTlsOptions tls, string host)
    {
        var options = new SslClientAuthenticationOptions { TargetHost = tls.ServerName ?? host };
        if (tls.AllowUntrustedServer)
        {
            options.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (tls.CaCertificateFile is { } caFile)
        {
            // Only this CA is trusted for the broker: the system store is not consulted. The host name is still checked.
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(LoadPemCertificates(caFile, "CA certificate"));
            options.CertificateChainPolicy = policy;
        }
        if (tls.ClientCertificateFile is { } certFile)
        {
            var certificate = LoadClientCertificate(certFile, tls.ClientKeyFile);
            var chain = LoadPemCertificates(certFile, "client certificate");
            var intermediates = new X509Certificate2Collection();
            foreach (var extra in chain)
                if (extra.Thumbprint != certificate.Thumbprint) intermediates.Add(extra);
            options.ClientCertificateContext = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        }
        return options;
    }

    public static X509Certificate2Collection LoadPemCertificates(string file, string what)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(file);
        if (collection.Count == 0) throw new InvalidDataException($"The {what} file {file} holds no PEM certificate.");
        return collection;
    }

    /// <summary>
    /// Loads a PEM certificate and key. A key from PEM is ephemeral, which SslStream cannot always use for the
    /// handshake (notably on Windows, and for some key types on Linux): the pair is re-imported from PKCS#12.
    /// </summary>
    public static X509Certificate2 LoadClientCertificate(string certificateFile, string? keyFile)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }
}
