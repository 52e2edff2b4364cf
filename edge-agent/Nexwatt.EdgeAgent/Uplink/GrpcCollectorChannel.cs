using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// The agent's one HTTP/2 channel to the collector (<see cref="GrpcChannel"/>), shared by the telemetry upload and the
/// setpoint stream: TLS with the pinned CA (and the site's client certificate) or plain text to a loopback collector,
/// keep-alive pings while calls are open, and the site token header on every call. Opened at first use (the token
/// file is read then), disposed with the host.
/// </summary>
internal sealed class GrpcCollectorChannel : IDisposable
{
    private readonly GrpcUplinkOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly SemaphoreSlim _opening = new(1, 1);
    private Opened? _opened;

    public GrpcCollectorChannel(IOptions<AgentOptions> options, ILoggerFactory loggers)
        : this(options.Value.Uplink.Grpc, loggers)
    {
    }

    public GrpcCollectorChannel(GrpcUplinkOptions options, ILoggerFactory loggers)
    {
        _options = options;
        _loggers = loggers;
    }

    /// <summary>Largest message either side may send on this channel: a telemetry batch of a few thousand readings is well below.</summary>
    internal const int MaxMessageSize = 4 * 1024 * 1024;

    /// <summary>The collector's address (scheme, host and port).</summary>
    public Uri Address => new(_options.Address);

    public bool Tls => Address.Scheme == Uri.UriSchemeHttps;

    /// <summary>The TelemetryIngest and SiteDispatch clients over the shared channel, opening it at the first call.</summary>
    public async ValueTask<(TelemetryIngest.TelemetryIngestClient Ingest, SiteDispatch.SiteDispatchClient Dispatch)> ClientsAsync(CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return (opened.Ingest, opened.Dispatch);
    }

    /// <summary>
    /// Call options carrying the site's token, when it proves itself with one, and the call's deadline (null only for a
    /// call meant to stay open, which relies on the keep-alive pings instead).
    /// </summary>
    public async ValueTask<CallOptions> CallOptionsAsync(DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(cancellationToken).ConfigureAwait(false);
        Metadata? headers = null;
        if (!string.IsNullOrEmpty(opened.Token)) headers = new Metadata { { "authorization", $"Bearer {opened.Token}" } };
        return new CallOptions(headers, deadline?.UtcDateTime, cancellationToken);
    }

    private async ValueTask<Opened> OpenAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _opened) is { } opened) return opened;
        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_opened is not null) return _opened;
            var token = _options.SiteTokenFile is { Length: > 0 } file
                ? (await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)).Trim()
                : _options.SiteToken;
            var handler = Tls
                ? CreateMutualTls(_options.CaCertificateFile!, NullIfEmpty(_options.ClientCertificateFile), NullIfEmpty(_options.ClientKeyFile))
                : CreateHandler();
            var channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions
            {
                HttpHandler = handler,
                DisposeHttpClient = true,
                LoggerFactory = _loggers,
                MaxReceiveMessageSize = MaxMessageSize,
                MaxSendMessageSize = MaxMessageSize,
                // Cancellation and deadlines surface as RpcException (Cancelled, DeadlineExceeded): a deadline is a
                // status GrpcRetry decides on; the services tell their own stop apart by their stopping token.
                // Retries are the services' own, decided by GrpcRetry: no hidden second layer.
                MaxRetryAttempts = 0,
            });
            _opened = new Opened(channel, token, new TelemetryIngest.TelemetryIngestClient(channel), new SiteDispatch.SiteDispatchClient(channel));
            return _opened;
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <summary>
    /// A handler for TLS (ALPN h2) that trusts only the certificate authorities in <paramref name="caCertificatePemFile"/>
    /// (the system store is ignored: the CA is pinned; revocation is not checked) and, when both files are given,
    /// presents the client certificate with its key (PKCS#8 or traditional PEM) for mutual TLS. The server's name must
    /// match the address the agent calls.
    /// </summary>
    internal static SocketsHttpHandler CreateMutualTls(string caCertificatePemFile, string? clientCertificatePemFile, string? clientKeyPemFile)
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
        var handler = CreateHandler();
        handler.SslOptions = ssl;
        return handler;
    }

    /// <summary>
    /// A handler suited to long-lived calls: HTTP/2 keep-alive pings while calls are open (a dead path is noticed
    /// within about a minute even when the setpoint stream is idle), more than one HTTP/2 connection when the
    /// collector's stream limit is reached.
    /// </summary>
    internal static SocketsHttpHandler CreateHandler() => new()
    {
        EnableMultipleHttp2Connections = true,
        KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    };

    public void Dispose()
    {
        _opened?.Channel.Dispose();
        _opening.Dispose();
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private sealed record Opened(GrpcChannel Channel, string? Token, TelemetryIngest.TelemetryIngestClient Ingest, SiteDispatch.SiteDispatchClient Dispatch);
}
