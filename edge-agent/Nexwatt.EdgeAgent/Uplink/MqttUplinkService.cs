using Google.Protobuf;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Polling;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// The MQTT uplink: one persistent session per site, the OFFLINE status as its will, ONLINE (retained) at every
/// connection, telemetry drained from the durable buffer by <see cref="UplinkPump"/>, and the site's setpoint
/// topic subscribed at QoS 1 so that setpoints sent while the link was down arrive when it is back.
/// </summary>
internal sealed class MqttUplinkService(
    IOptions<AgentOptions> agentOptions,
    AgentIdentity identity,
    ReadingBuffer buffer,
    DeviceHealthBoard health,
    TimeProvider time,
    Dispatch.SetpointDispatcher dispatcher,
    ILoggerFactory loggers,
    BufferingReadingSink? sink = null,
    Hosting.AgentLiveness? liveness = null,
    Observability.UplinkStatus? status = null,
    Observability.AgentMetrics? metrics = null) : BackgroundService
{
    private static readonly TimeSpan RefusedRetry = TimeSpan.FromMinutes(1);

    private readonly ILogger _logger = loggers.CreateLogger<MqttUplinkService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var uplink = agentOptions.Value.Uplink;
        var mqtt = uplink.Mqtt;
        if (!mqtt.Enabled) return;
        var topics = new Topics(mqtt.TopicPrefix, identity.SiteId);
        var siteStatus = new SiteStatusFactory(identity, health, buffer, time, sink);
        MqttClientOptions options;
        try
        {
            options = MqttUplinkOptionsMapper.ToClientOptions(mqtt, identity.SiteId, new MqttWill(topics.Status, siteStatus.Offline().ToByteArray(), MqttQualityOfService.AtLeastOnce, Retain: true));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            UplinkLog.CannotStart(_logger, ex.Message);
            return;
        }
        UplinkLog.Starting(_logger, $"{options.Host}:{options.Port}", options.ClientId, mqtt.ProtocolVersion, options.Tls.Enabled, mqtt.TopicPrefix);

        await using var client = new MqttClient(options, loggers.CreateLogger("Nexwatt.Protocols.Mqtt"), time);
        await client.SubscribeAsync(topics.Setpoints, MqttQualityOfService.AtLeastOnce, stoppingToken).ConfigureAwait(false);
        await client.StartAsync(stoppingToken).ConfigureAwait(false);
        using var heartbeat = liveness?.Register("the MQTT uplink");
        heartbeat?.Idle();
        status?.UseTransport(Observability.UplinkTransports.Mqtt);
        var pump = new UplinkPump(buffer, identity, uplink, time, _logger, heartbeat, status, metrics);
        var setpoints = new SetpointInbox(client, topics, dispatcher, _logger);
        var inbox = setpoints.RunAsync(stoppingToken);
        var statusLoop = RepublishStatusAsync(client, topics, siteStatus, uplink.StatusInterval, stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await client.WaitUntilConnectedAsync(stoppingToken).ConfigureAwait(false);
                    // Birth first: the collector learns the site is back before its backlog arrives.
                    await client.PublishAsync(topics.Status, siteStatus.Online().ToByteArray(), MqttQualityOfService.AtLeastOnce, retain: true, stoppingToken).ConfigureAwait(false);
                    status?.SessionUp();
                    UplinkLog.SessionStarted(_logger, buffer.NextSequence);
                    await pump.RunSessionAsync(new MqttBatchTransport(client, topics, mqtt.MaxMessageBytes), stoppingToken).ConfigureAwait(false);
                }
                catch (MqttConnectRefusedException ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Bad credentials or a site the broker does not authorize: polling and buffering go on, nothing is
                    // lost, and the refusal is repeated in the log until the configuration is fixed.
                    UplinkLog.Refused(_logger, ex.Message, RefusedRetry);
                    await Task.Delay(RefusedRetry, time, stoppingToken).ConfigureAwait(false);
                }
                catch (MqttException ex) when (!stoppingToken.IsCancellationRequested)
                {
                    UplinkLog.SessionEnded(_logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll(inbox, statusLoop).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            try { await client.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false); }
            catch (Exception ex) when (ex is MqttException or TimeoutException) { }
        }
    }

    private async Task RepublishStatusAsync(MqttClient client, Topics topics, SiteStatusFactory status, TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
                if (!client.IsConnected) continue;
                try { await client.PublishAsync(topics.Status, status.Online().ToByteArray(), MqttQualityOfService.AtLeastOnce, retain: true, cancellationToken).ConfigureAwait(false); }
                catch (MqttException) { /* the session loop reports the loss */ }
            }
        }
        catch (OperationCanceledException) { }
    }
}
