using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Configuration;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Nexwatt.EdgeAgent.Observability;

/// <summary>
/// The agent's HTTP endpoint (Agent:Metrics, http://127.0.0.1:9464 by default): /metrics in Prometheus text format from
/// OpenTelemetry's exporter, reading <see cref="AgentMetrics"/> and the runtime's meter; /healthz and /readyz from
/// <see cref="AgentHealth"/>, on a second HttpListener sharing the port (the managed listener routes by the longest
/// prefix). A port that is taken is one warning: the agent's job is polling, and it goes on without the endpoint.
/// It starts before the pollers and the uplink (measurements made before the exporter listens are not kept), and
/// creates <see cref="AgentMetrics"/> only once it listens, so that the counters it sets to zero are seen.
/// </summary>
internal sealed class MetricsEndpoint(IOptions<AgentOptions> options, Func<AgentMetrics> metrics, AgentHealth health, ILogger<MetricsEndpoint> logger)
    : IHostedService, IDisposable
{
    private MeterProvider? _provider;
    private HttpListener? _health;
    private Task _serving = Task.CompletedTask;

    /// <summary>The base address served, e.g. http://127.0.0.1:9464/; null while off.</summary>
    public Uri? Address { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.Metrics;
        if (settings.Port == 0) return Task.CompletedTask;
        // A wildcard address must be "*" in a listener prefix, or requests naming the host's own address would not match.
        var host = IPAddress.Parse(settings.Address) is var ip && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)) ? "*"
            : ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString();
        var prefix = $"http://{host}:{settings.Port}/";
        try
        {
            _provider = Sdk.CreateMeterProviderBuilder()
                .ConfigureResource(r => r.AddService("nexwatt-agent", serviceInstanceId: options.Value.SiteId))
                .AddMeter(AgentMetrics.MeterName, "System.Runtime")
                .AddPrometheusHttpListener(o => { o.Host = host; o.Port = settings.Port; o.ScrapeEndpointPath = "/metrics"; })
                .Build();
            _health = new HttpListener();
            _health.Prefixes.Add(prefix + "healthz/");
            _health.Prefixes.Add(prefix + "readyz/");
            _health.Start();
        }
        catch (Exception ex) when (ex is HttpListenerException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            ObservabilityLog.EndpointUnavailable(logger, prefix, ex.Message);
            Stop();
            return Task.CompletedTask;
        }
        _ = metrics();
        Address = new Uri(prefix.Replace("*", settings.Address, StringComparison.Ordinal));
        ObservabilityLog.EndpointListening(logger, Address.ToString());
        _serving = ServeHealthAsync(_health);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Stop();
        try { await _serving.WaitAsync(cancellationToken).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    public void Dispose() => Stop();

    private void Stop()
    {
        var listener = Interlocked.Exchange(ref _health, null);
        if (listener is not null)
        {
            try { listener.Close(); } catch (ObjectDisposedException) { }
        }
        Interlocked.Exchange(ref _provider, null)?.Dispose();
    }

    private async Task ServeHealthAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            try { await AnswerAsync(context).ConfigureAwait(false); }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException) { /* the prober went away */ }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        var report = health.Evaluate();
        var ready = context.Request.Url?.AbsolutePath.TrimEnd('/') == "/readyz";
        var ok = ready ? report.Ready : report.Alive;
        var body = HealthJson.Write(report, ok);
        response.StatusCode = ok ? 200 : 503;
        response.ContentType = "application/json";
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
        response.Close();
    }
}
