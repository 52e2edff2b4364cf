using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Hosting;
using Nexwatt.Collector.Storage;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;
using Nexwatt.Protos;

namespace Nexwatt.Collector.Ingest;

/// <summary>
/// Telemetry from the broker. The subscription is shared ($share/{group}/...), so the broker hands each batch to one
/// collector of the group. The site id is the topic's site segment: the broker's ACL (each site's certificate or
/// user may publish only under its own subtree) is what proves it, so the payload's site id must agree with it.
/// Like the gRPC uplink, a batch is acknowledged (PUBACK, manual acknowledgement in our client) only once it is stored,
/// or once it is refused for good (not a telemetry topic, undecodable, another site's, invalid): resending those
/// cannot succeed and would hold up every batch behind them. A batch the store cannot take now is retried in place
/// with backoff, unacknowledged: PUBACKs leave in receive order, so nothing after it could be acknowledged anyway. A
/// collector that dies meanwhile loses nothing: the broker keeps the session (CleanStart false) and delivers again
/// what was not acknowledged, which the store's (site, sequence) key counts as duplicates.
/// </summary>
internal sealed class MqttIngestService(IOptions<CollectorOptions> options, IOptions<CollectorStorageOptions> storage, IngestPipeline pipeline,
    ICollectorStore store, MqttRefusals refusals, TimeProvider time, ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<MqttIngestService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ingest = options.Value.MqttIngest;
        if (!ingest.Enabled) return;
        var concurrency = ingest.MaxConcurrentBatches ?? (storage.Value.EffectiveProvider == CollectorStorageOptions.Postgres ? 4 : 1);
        var client = new MqttClient(new MqttClientOptions
        {
            Host = ingest.Host,
            Port = ingest.Port ?? (ingest.TlsEnabled ? 8883 : 1883),
            ClientId = ingest.ClientId,
            ProtocolVersion = MqttProtocolVersion.V500,
            CleanStart = false,
            Username = ingest.Username,
            Password = ingest.Password,
            ManualAcknowledgement = true,
            // Announced to the broker as our Maximum Packet Size: Mosquitto acknowledges a larger message to its sender and
            // then drops it for us without a word, so this covers the largest message an agent may send.
            MaxIncomingPacketSize = ingest.MaxPacketBytes,
            // Also the Receive Maximum: at most this many batches delivered and not yet stored, which is what the broker
            // delivers again after a crash. Enough to keep MaxConcurrentBatches stores busy with the next ones queued.
            IncomingMessageCapacity = Math.Max(16, 4 * concurrency),
            Tls = new MqttTlsOptions
            {
                Enabled = ingest.TlsEnabled,
                CaCertificateFile = ingest.CaCertificateFile,
                ClientCertificateFile = ingest.ClientCertificateFile,
                ClientKeyFile = ingest.ClientKeyFile,
            },
        }, loggers.CreateLogger("Nexwatt.Protocols.Mqtt"), time);
        await using var _ = client;
        // No group: a plain subscription, for a single collector. Mosquitto 2.0 persists it with the session, while a
        // restarted Mosquitto restores a session without its shared subscriptions: until the collector subscribes
        // again, telemetry published to the group is dropped. Groups need a broker that persists shared subscriptions.
        var filter = string.IsNullOrEmpty(ingest.SharedGroup)
            ? SiteTopics.EverySite(ingest.TopicPrefix, SiteTopics.Telemetry)
            : $"$share/{ingest.SharedGroup}/{SiteTopics.EverySite(ingest.TopicPrefix, SiteTopics.Telemetry)}";
        await client.SubscribeAsync(filter, MqttQualityOfService.AtLeastOnce, stoppingToken).ConfigureAwait(false);
        await client.StartAsync(stoppingToken).ConfigureAwait(false);
        try
        {
            // Several batches in flight overlap the store's round trips. Acknowledging out of order is safe: the client
            // holds each PUBACK until every earlier message is acknowledged too (MQTT 4.6), so the broker never hears
            // "stored" for a batch behind one that is not. Batches of one site may be stored out of order: the store
            // keys on (site, sequence) and keeps the newest value by source time, so the order does not matter.
            await Parallel.ForEachAsync(client.Messages.ReadAllAsync(stoppingToken),
                new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = stoppingToken },
                async (message, ct) =>
                {
                    await IngestUntilDoneAsync(ingest.TopicPrefix, message, ct).ConfigureAwait(false);
                    message.Acknowledge();
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>
    /// Returns once the batch is stored or refused for good. Any other failure (the database down, locked, timing out)
    /// is logged and retried after 1, 2, 4 ... 30 s, until it works or the service stops; the batch stays unacknowledged.
    /// </summary>
    internal async Task IngestUntilDoneAsync(string prefix, MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await IngestAsync(prefix, message, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // Everything else is retried, not only errors known to be transient: dropping a batch the edge has
                // already deleted is worse than an ingest that stalls loudly until someone looks.
                var delay = RetryDelay(attempt);
                IngestLog.StoreFailed(_logger, message.Topic, attempt, delay.TotalSeconds, ex);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal static TimeSpan RetryDelay(int attempt) => TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(attempt - 1, 5))));

    /// <summary>
    /// Stores one message, or refuses it for good (counted and logged by <see cref="MqttRefusals"/>): not a site's
    /// telemetry topic, undecodable, naming another site, from a site that is not registered (as gRPC refuses it: the
    /// broker proves only that the client may write the topic, the registry says whether the site exists), or invalid.
    /// </summary>
    internal async Task IngestAsync(string prefix, MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        var siteId = SiteTopics.SiteOf(prefix, message.Topic, SiteTopics.Telemetry);
        if (siteId is null)
        {
            refusals.Refuse(message.Topic, MqttRefusalReasons.NotASiteTopic, "not a telemetry topic of one site");
            return;
        }
        TelemetryBatch batch;
        try { batch = TelemetryBatch.Parser.ParseFrom(message.Payload.Span); }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            refusals.Refuse(siteId, MqttRefusalReasons.Undecodable, $"undecodable batch ({message.Payload.Length} bytes): {ex.Message}");
            return;
        }
        if (!string.IsNullOrEmpty(batch.SiteId) && batch.SiteId != siteId)
        {
            refusals.Refuse(siteId, MqttRefusalReasons.ForeignSite, $"the batch names site '{Shorten(batch.SiteId)}' (a site writes only its own data)");
            return;
        }
        if (await store.GetSiteAsync(siteId, cancellationToken).ConfigureAwait(false) is null)
        {
            refusals.Refuse(siteId, MqttRefusalReasons.UnregisteredSite, $"the site is not registered; {batch.Readings.Count} reading(s) not stored");
            return;
        }
        try { await pipeline.IngestAsync(siteId, batch, cancellationToken, transport: "mqtt").ConfigureAwait(false); }
        catch (InvalidTelemetryException ex) { refusals.Refuse(siteId, MqttRefusalReasons.InvalidTelemetry, ex.Message); }
    }

    private static string Shorten(string text) => text.Length <= 128 ? text : text[..128] + "…";

}
