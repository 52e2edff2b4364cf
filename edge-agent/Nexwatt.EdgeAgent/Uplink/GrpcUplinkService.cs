using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.Protocols.Grpc;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// The gRPC uplink: one long-lived duplex Upload call to the collector, drained by the same pump as MQTT (live first,
/// rate-limited historical backfill, gaps). A lost call is retried with exponential backoff and jitter.
/// The site proves itself with its client certificate, or with its token where TLS ends at a proxy.
/// </summary>
internal sealed class GrpcUplinkService(
    IOptions<AgentOptions> agentOptions,
    AgentIdentity identity,
    ReadingBuffer buffer,
    TimeProvider time,
    ILoggerFactory loggers,
    Hosting.AgentLiveness? liveness = null) : BackgroundService
{
    internal static readonly GrpcMethod<TelemetryBatch, UploadAck> Upload =
        ProtobufGrpc.Method<TelemetryBatch, UploadAck>(CollectorReflection.Descriptor, "nexwatt.v1.TelemetryIngest", "Upload");

    private readonly ILogger _logger = loggers.CreateLogger<GrpcUplinkService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var uplink = agentOptions.Value.Uplink;
        var options = uplink.Grpc;
        // One uplink drains the buffer: with a broker configured, MQTT does.
        if (!options.Enabled || uplink.Mqtt.Enabled) return;
        using var channel = await GrpcCollectorChannel.OpenAsync(options, time, stoppingToken).ConfigureAwait(false);
        var client = channel.Client;
        UplinkLog.GrpcStarting(_logger, client.Address.GetLeftPart(UriPartial.Authority), channel.Tls, options.ClientCertificateFile is { Length: > 0 } ? "client certificate" : "site token");

        using var heartbeat = liveness?.Register("the gRPC uplink");
        heartbeat?.Idle();
        var pump = new UplinkPump(buffer, identity, uplink, time, _logger, heartbeat);
        var failures = 0;
        var jitter = new Random();
        while (!stoppingToken.IsCancellationRequested)
        {
            var call = client.DuplexStreaming(Upload, channel.CallOptions(), stoppingToken);
            await using var transport = new GrpcBatchTransport(call, stoppingToken);
            try
            {
                UplinkLog.SessionStarted(_logger, buffer.NextSequence);
                await pump.RunSessionAsync(new ResettingTransport(transport, () => failures = 0), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is GrpcException or HttpRequestException or IOException)
            {
                UplinkLog.SessionEnded(_logger, ex.Message);
            }
            failures++;
            var delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(failures, 6) - 1)) * (0.8 + 0.4 * jitter.NextDouble()));
            try { await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Resets the backoff once a batch got through: a healthy session that later drops retries at once.</summary>
    private sealed class ResettingTransport(IBatchTransport inner, Action delivered) : IBatchTransport
    {
        public int MaxBatchBytes => inner.MaxBatchBytes;

        public async ValueTask SendAsync(TelemetryBatch batch, CancellationToken cancellationToken)
        {
            await inner.SendAsync(batch, cancellationToken).ConfigureAwait(false);
            delivered();
        }
    }
}
