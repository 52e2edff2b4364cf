using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt.Tests.Session;

/// <summary>A client over an in-memory transport with an observable fake clock and deterministic jitter.</summary>
internal sealed class SessionHarness : IAsyncDisposable
{
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan DelayMin = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DelayMax = TimeSpan.FromSeconds(8);

    public SessionHarness(MqttProtocolVersion version = MqttProtocolVersion.V500, Action<MqttClientOptions>? configure = null)
    {
        Options = new MqttClientOptions
        {
            Host = "in-memory",
            ClientId = "edge-1",
            ProtocolVersion = version,
            KeepAlive = KeepAlive,
            ConnectTimeout = ConnectTimeout,
            ReconnectDelayMin = DelayMin,
            ReconnectDelayMax = DelayMax,
            Will = new MqttWill("edge/edge-1/status", "offline"u8.ToArray(), MqttQualityOfService.AtLeastOnce, Retain: true),
        };
        configure?.Invoke(Options);
        Transport = new InMemoryTransport(version);
        // Jitter 0: every backoff is exactly half of its exponential step.
        Client = new MqttClient(Options, Logger, Time, Transport, new FixedRandom(0));
        Client.ConnectionChanged += (_, e) => { lock (Events) Events.Add(e); };
    }

    public MqttClientOptions Options { get; }
    public ObservableTimeProvider Time { get; } = new();
    public InMemoryTransport Transport { get; }
    public ListLogger Logger { get; } = new();
    public MqttClient Client { get; }
    public List<MqttConnectionChangedEventArgs> Events { get; } = [];

    /// <summary>Starts the client, accepts its connection and completes the handshake.</summary>
    public async Task<(BrokerSide Broker, ConnectPacket Connect)> StartAndConnectAsync(ConnAckPacket? connAck = null)
    {
        await Client.StartAsync(CancellationToken.None);
        return await AcceptAsync(connAck);
    }

    public async Task<(BrokerSide Broker, ConnectPacket Connect)> AcceptAsync(ConnAckPacket? connAck = null)
    {
        var broker = await Transport.AcceptAsync();
        var connect = await broker.AcceptConnectAsync(connAck);
        await Client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        return (broker, connect);
    }

    /// <summary>Waits until the client armed its reconnect delay, advances past it and accepts the new connection.</summary>
    public async Task<(BrokerSide Broker, ConnectPacket Connect)> ReconnectAsync(TimeSpan expectedDelay, ConnAckPacket? connAck = null)
    {
        await Time.WaitForTimerAsync(d => d == expectedDelay);
        Time.Advance(expectedDelay);
        return await AcceptAsync(connAck);
    }

    public async ValueTask DisposeAsync() => await Client.DisposeAsync();
}
