using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// The gRPC uplink: one long-lived duplex Upload call to the collector, drained by the same pump as MQTT (live first,
/// rate-limited historical backfill, gaps) over the channel it shares with the setpoint stream. The call carries a
/// deadline (<see cref="GrpcUplinkOptions.UploadCallLifetime"/>), so a collector that stops acknowledging is noticed
/// and the session is opened again; a lost call is retried as <see cref="GrpcRetry"/> decides by its status.
/// The site proves itself with its client certificate, or with its token where TLS ends at a proxy.
/// </summary>
internal sealed class GrpcUplinkService(
    IOptions<AgentOptions> agentOptions,
    AgentIdentity identity,
    ReadingBuffer buffer,
    GrpcCollectorChannel channel,
    TimeProvider time,
    ILoggerFactory loggers,
    Hosting.AgentLiveness? liveness = null,
    Observability.UplinkStatus? status = null,
    Observability.AgentMetrics? metrics = null) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<GrpcUplinkService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var uplink = agentOptions.Value.Uplink;
        var options = uplink.Grpc;
        // One uplink drains the buffer: with a broker configured, MQTT does.
        if (!options.Enabled || uplink.Mqtt.Enabled) return;
        var (client, _) = await channel.ClientsAsync(stoppingToken).ConfigureAwait(false);
        UplinkLog.GrpcStarting(_logger, channel.Address.GetLeftPart(UriPartial.Authority), channel.Tls, options.ClientCertificateFile is { Length: > 0 } ? "client certificate" : "site token");

        using var heartbeat = liveness?.Register("the gRPC uplink");
        heartbeat?.Idle();
        status?.UseTransport(Observability.UplinkTransports.Grpc);
        var pump = new UplinkPump(buffer, identity, uplink, time, _logger, heartbeat, status, metrics);
        var failures = 0;
        var jitter = new Random();
        while (!stoppingToken.IsCancellationRequested)
        {
            var status = StatusCode.Unavailable;
            var callOptions = await channel.CallOptionsAsync(time.GetUtcNow() + options.UploadCallLifetime, stoppingToken).ConfigureAwait(false);
            var call = client.Upload(callOptions);
            await using var transport = new GrpcBatchTransport(call, stoppingToken);
            try
            {
                UplinkLog.SessionStarted(_logger, buffer.NextSequence);
                await pump.RunSessionAsync(new ResettingTransport(transport, () => failures = 0), stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (stoppingToken.IsCancellationRequested && (ex is OperationCanceledException || GrpcRetry.IsCallFailure(ex)))
            {
                return;
            }
            catch (Exception ex) when (GrpcRetry.IsCallFailure(ex))
            {
                status = GrpcRetry.StatusOf(ex);
                UplinkLog.SessionEnded(_logger, GrpcRetry.Describe(ex));
            }
            // A session that delivered and then reached its lifetime is simply renewed.
            if (status == StatusCode.DeadlineExceeded && failures == 0) continue;
            failures++;
            var delay = GrpcRetry.Delay(status, failures, jitter);
            if (!GrpcRetry.IsTransient(status)) UplinkLog.GrpcRefused(_logger, status.ToString(), delay);
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
