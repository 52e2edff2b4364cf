using Nexwatt.Protocols.Grpc;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// The agent's HTTP/2 channel to the collector, shared by the telemetry upload and the setpoint stream: TLS with the
/// pinned CA (and the site's client certificate) or plain text to a loopback collector, and the site token header.
/// </summary>
internal sealed class GrpcCollectorChannel : IDisposable
{
    private readonly HttpClient _http;
    private readonly string? _token;

    private GrpcCollectorChannel(HttpClient http, GrpcClient client, string? token, bool tls)
    {
        _http = http;
        Client = client;
        _token = token;
        Tls = tls;
    }

    public GrpcClient Client { get; }

    public bool Tls { get; }

    public static async Task<GrpcCollectorChannel> OpenAsync(GrpcUplinkOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var address = new Uri(options.Address);
        var token = options.SiteTokenFile is { Length: > 0 } file ? (await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)).Trim() : options.SiteToken;
        var tls = address.Scheme == Uri.UriSchemeHttps;
        var http = new HttpClient(tls
            ? GrpcHttpHandlers.CreateMutualTls(options.CaCertificateFile!, NullIfEmpty(options.ClientCertificateFile), NullIfEmpty(options.ClientKeyFile))
            : GrpcHttpHandlers.CreatePlainText())
        { Timeout = Timeout.InfiniteTimeSpan };
        return new GrpcCollectorChannel(http, new GrpcClient(http, address, new GrpcClientOptions { TimeProvider = time }), token, tls);
    }

    /// <summary>Call options carrying the site's token, when it proves itself with one; a fresh set per call.</summary>
    public GrpcCallOptions CallOptions(DateTimeOffset? deadline = null)
    {
        var headers = new GrpcMetadata();
        if (!string.IsNullOrEmpty(_token)) headers.Add("authorization", $"Bearer {_token}");
        return new GrpcCallOptions { Headers = headers, Deadline = deadline };
    }

    public void Dispose() => _http.Dispose();

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
