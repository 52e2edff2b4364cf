using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nexwatt.Bench.CollectorIngest;
using Nexwatt.Bench.Harness;
using Nexwatt.EdgeAgent;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.EdgeAgent.Uplink;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protocols.SunSpec;
using Nexwatt.Protos.Signing;
using Nexwatt.Protos.V1;

namespace Nexwatt.Bench.Dispatch;

internal enum DispatchTransport { Mqtt, Grpc }

/// <summary>
/// One simulated site in this process, built from the edge agent's own dispatch parts: its own pinned copy of the
/// collector key (its own signature checks), its own <see cref="SetpointDispatcher"/>, its own Modbus connection to
/// its own hardware-sim battery, and its own uplink connection: an MQTT session to the broker or a gRPC
/// SiteDispatch/StreamSetpoints call on its own HTTP/2 connection. Only polling and the telemetry buffer are left
/// out; one telemetry batch with the battery's state of charge is uploaded so the collector can allocate to it.
/// </summary>
internal sealed class DispatchSite : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<Task> _loops = [];
    private SetpointDispatcher? _dispatcher;
    private GrpcSetpointService? _grpc;
    private GrpcCollectorChannel? _channel;
    private CollectorKey? _key;

    private DispatchSite(string siteId) => SiteId = siteId;

    public string SiteId { get; }

    public static async Task<DispatchSite> StartAsync(string siteId, string token, BatteryEndpoint battery, string collectorPublicKeyPem, DispatchTransport transport,
        Uri grpcAddress, int? mqttPort, CancellationToken cancellationToken)
    {
        var site = new DispatchSite(siteId);
        try
        {
            await site.StartCoreAsync(token, battery, collectorPublicKeyPem, transport, grpcAddress, mqttPort, cancellationToken).ConfigureAwait(false);
            return site;
        }
        catch
        {
            await site.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartCoreAsync(string token, BatteryEndpoint battery, string pem, DispatchTransport transport, Uri grpcAddress, int? mqttPort,
        CancellationToken cancellationToken)
    {
        var link = new ModbusLink(new ModbusTcpLinkOptions { Host = battery.Host, Port = battery.Port, ResponseTimeout = TimeSpan.FromSeconds(10) });
        _owned.Add(link);
        var map = await new SunSpecDiscovery(link).DiscoverAsync(1, cancellationToken).ConfigureAwait(false)
            ?? throw new BenchException($"{battery.Name} at {battery.Host}:{battery.Port} is not a SunSpec device");
        var registry = new DeviceControlRegistry();
        registry.Register(new DeviceControlPort(battery.Name, link, 1, map, SunSpecWordOrder.HighWordFirst));

        var options = new AgentOptions { SiteId = SiteId };
        options.Dispatch.CollectorPublicKeyPem = pem;
        // Acknowledge once the write is read back; measuring until the power settles is the agent's default (2 s),
        // left out here because this measures delivery and verification, not the simulator's 1 s measurement tick.
        options.Dispatch.MeasureSettleTime = TimeSpan.Zero;
        options.Uplink.Grpc.Enabled = transport == DispatchTransport.Grpc;
        options.Uplink.Grpc.Address = grpcAddress.ToString();
        options.Uplink.Grpc.SiteToken = token;
        var identity = AgentIdentity.ForSite(SiteId);
        _key = CollectorKey.Pin(SetpointSignature.LoadPublicKeyPem(pem));
        var devices = new SunSpecSiteDevices(registry, options.Dispatch, TimeProvider.System);
        _dispatcher = new SetpointDispatcher(Options.Create(options), _key, devices, identity, TimeProvider.System, NullLogger<SetpointDispatcher>.Instance);
        await _dispatcher.StartAsync(cancellationToken).ConfigureAwait(false);

        await UploadStateOfChargeAsync(grpcAddress, token, battery.Name, link, map, cancellationToken).ConfigureAwait(false);

        if (transport == DispatchTransport.Grpc)
        {
            _channel = new GrpcCollectorChannel(options.Uplink.Grpc, NullLoggerFactory.Instance);
            _grpc = new GrpcSetpointService(Options.Create(options), identity, _dispatcher, _channel, TimeProvider.System, NullLogger<GrpcSetpointService>.Instance);
            await _grpc.StartAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        var mqtt = new MqttUplinkOptions { Enabled = true, Host = "127.0.0.1", Port = mqttPort, ClientId = SiteId };
        mqtt.Tls.Enabled = false;
        var topics = new Topics(mqtt.TopicPrefix, SiteId);
        var client = new MqttClient(MqttUplinkOptionsMapper.ToClientOptions(mqtt, SiteId, new MqttWill(topics.Status, ReadOnlyMemory<byte>.Empty, MqttQualityOfService.AtMostOnce, Retain: false)),
            NullLogger.Instance, TimeProvider.System);
        _owned.Add(client);
        await client.SubscribeAsync(topics.Setpoints, MqttQualityOfService.AtLeastOnce, cancellationToken).ConfigureAwait(false);
        await client.StartAsync(cancellationToken).ConfigureAwait(false);
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(TimeSpan.FromSeconds(30));
        await client.WaitUntilConnectedAsync(connectTimeout.Token).ConfigureAwait(false);
        _loops.Add(new SetpointInbox(client, topics, _dispatcher, NullLogger.Instance).RunAsync(_stop.Token));
    }

    /// <summary>One telemetry batch with the battery's state of charge and power as read from it, over the gRPC ingest.</summary>
    private async Task UploadStateOfChargeAsync(Uri address, string token, string deviceId, ModbusLink link, SunSpecDeviceMap map, CancellationToken cancellationToken)
    {
        var block = await SunSpecDeviceReader.ReadModelAsync(link, 1, map.Find(802)!, cancellationToken: cancellationToken).ConfigureAwait(false);
        var nowUs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        var batch = new TelemetryBatch { SiteId = SiteId, AgentBootId = "bench", FirstSequence = 1, LastSequence = 2, SentTimeUs = nowUs };
        batch.Readings.Add(new Reading { Sequence = 1, DeviceId = deviceId, ModelId = 802, Point = "SoC", Unit = "%WHRtg", Quality = Quality.Good, SourceTimeUs = nowUs, Value = block.Read("SoC").Value ?? 0 });
        batch.Readings.Add(new Reading { Sequence = 2, DeviceId = deviceId, ModelId = 802, Point = "W", Unit = "W", Quality = Quality.Good, SourceTimeUs = nowUs, Value = block.Read("W").Value ?? 0 });
        using var channel = GrpcAgents.Channel(address);
        var client = new TelemetryIngest.TelemetryIngestClient(channel);
        using (var call = client.Upload(GrpcAgents.Token(token), DateTime.UtcNow.AddSeconds(60), cancellationToken))
        {
            await call.RequestStream.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            await foreach (var ack in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                if (ack.Status != UploadAck.Types.Status.Stored) throw new BenchException($"{SiteId}: telemetry refused: {ack.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_grpc is not null) await _grpc.StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (_dispatcher is not null) await _dispatcher.StopAsync(CancellationToken.None).ConfigureAwait(false);
        try { await Task.WhenAll(_loops).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync().ConfigureAwait(false);
        _grpc?.Dispose();
        _channel?.Dispose();
        _dispatcher?.Dispose();
        _key?.Dispose();
        _stop.Dispose();
    }
}
