using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.Collector.Hosting;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;
using Nexwatt.Protos;

namespace Nexwatt.Collector.Dispatch;

/// <summary>
/// Setpoints waiting for the MQTT writer loop. Bounded, dropping the oldest when full: the dispatch service never
/// waits on the broker, and a dropped setpoint is re-sent every ResendInterval until acknowledged.
/// </summary>
public sealed class MqttSetpointOutbox
{
    private const int Capacity = 4096;

    private long _dropped;

    public MqttSetpointOutbox() =>
        Queue = Channel.CreateBounded<(string, string, ReadOnlyMemory<byte>)>(new BoundedChannelOptions(Capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        }, _ => Interlocked.Increment(ref _dropped));

    internal Channel<(string SiteId, string SetpointId, ReadOnlyMemory<byte> Signed)> Queue { get; }

    /// <summary>Setpoints dropped from the full queue (each re-sent later); the publish loop logs them.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>True when an MQTT connection for dispatch is configured (otherwise posts are discarded).</summary>
    public bool Enabled { get; internal set; }

    public void Post(string siteId, string setpointId, ReadOnlyMemory<byte> signed)
    {
        if (Enabled) Queue.Writer.TryWrite((siteId, setpointId, signed));
    }
}

/// <summary>
/// Dispatch over the broker (when Collector:MqttIngest is enabled): publishes setpoints QoS 1 to
/// {prefix}/{site}/setpoints, takes acknowledgements from {prefix}/+/acks and births and deaths from
/// {prefix}/+/status. The site is the topic's site segment, which the broker's ACL proves. A connection of its
/// own (client id + "-dispatch"), so that telemetry volume never delays a setpoint.
/// </summary>
internal sealed class DispatchMqttService(
    IOptions<CollectorOptions> options,
    DispatchService dispatch,
    MqttSetpointOutbox outbox,
    SiteActivity activity,
    Domain.ICollectorStore store,
    Ingest.MqttRefusals refusals,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<DispatchMqttService>();

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        outbox.Enabled = options.Value.MqttIngest.Enabled;
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var mqtt = options.Value.MqttIngest;
        if (!mqtt.Enabled) return;
        var clientOptions = new MqttClientOptions
        {
            Host = mqtt.Host,
            Port = mqtt.Port ?? (mqtt.TlsEnabled ? 8883 : 1883),
            ClientId = mqtt.ClientId + "-dispatch",
            ProtocolVersion = MqttProtocolVersion.V500,
            CleanStart = false,
            Username = mqtt.Username,
            Password = mqtt.Password,
            Tls = new MqttTlsOptions
            {
                Enabled = mqtt.TlsEnabled,
                CaCertificateFile = mqtt.CaCertificateFile,
                ClientCertificateFile = mqtt.ClientCertificateFile,
                ClientKeyFile = mqtt.ClientKeyFile,
            },
        };
        var client = new MqttClient(clientOptions, loggers.CreateLogger("Nexwatt.Protocols.Mqtt"), time);
        await using var _ = client;
        await client.SubscribeAsync(SiteTopics.EverySite(mqtt.TopicPrefix, SiteTopics.Acks), MqttQualityOfService.AtLeastOnce, stoppingToken).ConfigureAwait(false);
        await client.SubscribeAsync(SiteTopics.EverySite(mqtt.TopicPrefix, SiteTopics.Status), MqttQualityOfService.AtLeastOnce, stoppingToken).ConfigureAwait(false);
        await client.StartAsync(stoppingToken).ConfigureAwait(false);
        try
        {
            await Task.WhenAll(PublishLoopAsync(client, mqtt.TopicPrefix, clientOptions.MaxInFlight, stoppingToken), ReceiveLoopAsync(client, mqtt.TopicPrefix, stoppingToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    // The one writer of setpoints to the broker. Publishes are pipelined, up to the client's in-flight window: awaiting
    // each PUBACK before the next publish would make a fleet's issue one broker round trip per site. The client grants
    // window slots in call order, so setpoints still go out in the order they were posted.
    private async Task PublishLoopAsync(MqttClient client, string prefix, int window, CancellationToken cancellationToken)
    {
        var slots = new SemaphoreSlim(window, window);
        try
        {
            var reportedDrops = 0L;
            await foreach (var (siteId, setpointId, signed) in outbox.Queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (outbox.Dropped is var dropped && dropped != reportedDrops)
                {
                    DispatchLog.OutboxDropped(_logger, dropped - reportedDrops, dropped);
                    reportedDrops = dropped;
                }
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                _ = PublishAsync(client, SiteTopics.For(prefix, siteId, SiteTopics.Setpoints), setpointId, signed, slots, cancellationToken);
            }
        }
        finally
        {
            // Every publish still out ends (PUBACK, connection lost or cancelled) and gives its slot back.
            for (var i = 0; i < window; i++) await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            slots.Dispose();
        }
    }

    private async Task PublishAsync(MqttClient client, string topic, string setpointId, ReadOnlyMemory<byte> signed, SemaphoreSlim slots,
        CancellationToken cancellationToken)
    {
        try
        {
            await client.PublishAsync(topic, signed, MqttQualityOfService.AtLeastOnce, retain: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MqttException or ArgumentException) { DispatchLog.PublishFailed(_logger, setpointId, topic, ex.Message); }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { }
        finally { slots.Release(); }
    }

    private async Task ReceiveLoopAsync(MqttClient client, string prefix, CancellationToken cancellationToken)
    {
        await foreach (var message in client.Messages.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            await HandleAsync(prefix, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One acknowledgement or status. Either is taken only from a registered site's own topic (the broker's ACL proves
    /// who may write it); anything else is refused, counted and logged by <see cref="Ingest.MqttRefusals"/>. A status
    /// is a hint only (<see cref="SiteActivity"/>); an acknowledgement is evidence once the collector recorded it
    /// against a setpoint it issued to that very site.
    /// </summary>
    internal async Task HandleAsync(string prefix, MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (SiteTopics.SiteOf(prefix, message.Topic, SiteTopics.Acks) is { } ackSite)
        {
            SetpointAck ack;
            try { ack = SetpointAck.Parser.ParseFrom(message.Payload.Span); }
            catch (InvalidProtocolBufferException ex)
            {
                refusals.Refuse(ackSite, Ingest.MqttRefusalReasons.Undecodable, $"undecodable acknowledgement ({message.Payload.Length} bytes): {ex.Message}");
                return;
            }
            if (!await IsRegisteredAsync(ackSite, "acknowledgement", cancellationToken).ConfigureAwait(false)) return;
            // Queued, not awaited: the writer loop records acknowledgements in groups, one commit each, so this loop
            // moves on to the next message at once. The writer logs a refusal; MQTT has no answer to send. Only a
            // recorded one (a setpoint of this site, with a result) shows the site is up: an empty payload decodes too.
            var outcome = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = outcome.Task.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully && t.Result is null) activity.Seen(ackSite);
                else refusals.Refuse(ackSite, Ingest.MqttRefusalReasons.InvalidAcknowledgement, t.IsCompletedSuccessfully ? t.Result! : "not recorded");
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            await dispatch.QueueAckAsync(ackSite, ack, outcome, cancellationToken).ConfigureAwait(false);
        }
        else if (SiteTopics.SiteOf(prefix, message.Topic, SiteTopics.Status) is { } statusSite)
        {
            SiteStatus status;
            try { status = SiteStatus.Parser.ParseFrom(message.Payload.Span); }
            catch (InvalidProtocolBufferException ex)
            {
                refusals.Refuse(statusSite, Ingest.MqttRefusalReasons.Undecodable, $"undecodable status ({message.Payload.Length} bytes): {ex.Message}");
                return;
            }
            if (!string.IsNullOrEmpty(status.SiteId) && status.SiteId != statusSite)
            {
                refusals.Refuse(statusSite, Ingest.MqttRefusalReasons.ForeignSite, "the status names another site");
                return;
            }
            if (!await IsRegisteredAsync(statusSite, "status", cancellationToken).ConfigureAwait(false)) return;
            // A retained status is the last one the site sent, possibly long ago: only a death is taken from it.
            if (status.State == SiteStatus.Types.State.Offline)
            {
                activity.Hint(statusSite, online: false);
                DispatchLog.SiteOffline(_logger, statusSite);
            }
            else if (status.State == SiteStatus.Types.State.Online && !message.Retain)
            {
                activity.Hint(statusSite, online: true);
            }
        }
        else
        {
            refusals.Refuse(message.Topic, Ingest.MqttRefusalReasons.NotASiteTopic, "not an acknowledgement or status topic of one site");
        }
    }

    private async Task<bool> IsRegisteredAsync(string siteId, string what, CancellationToken cancellationToken)
    {
        if (await store.GetSiteAsync(siteId, cancellationToken).ConfigureAwait(false) is not null) return true;
        refusals.Refuse(siteId, Ingest.MqttRefusalReasons.UnregisteredSite, $"{what} from a site that is not registered");
        return false;
    }

}
