namespace Nexwatt.EdgeAgent.Observability;

/// <summary>
/// What the uplink is doing, as the health check, the status command and the metrics see it: which transport drains
/// the buffer, whether a session is up now, whether one ever was, and when a batch was last acknowledged. Written by
/// the uplink services and the pump, read from any thread.
/// </summary>
internal sealed class UplinkStatus(TimeProvider time)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();
    private long _lastDeliveryTicks;
    private int _connected;
    private int _everConnected;
    private string _transport = UplinkTransports.None;

    /// <summary>"grpc", "mqtt" or "none" (nothing drains the buffer).</summary>
    public string Transport => Volatile.Read(ref _transport);

    public bool Connected => Volatile.Read(ref _connected) == 1;

    public bool EverConnected => Volatile.Read(ref _everConnected) == 1;

    /// <summary>When the agent started, the reference for "delivered nothing for M minutes" before a first delivery.</summary>
    public DateTimeOffset Started => _started;

    /// <summary>When the collector last acknowledged a batch; null when none was since start.</summary>
    public DateTimeOffset? LastDelivery => Interlocked.Read(ref _lastDeliveryTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public void UseTransport(string transport) => Volatile.Write(ref _transport, transport);

    public void SessionUp()
    {
        Volatile.Write(ref _connected, 1);
        Volatile.Write(ref _everConnected, 1);
    }

    public void SessionDown() => Volatile.Write(ref _connected, 0);

    public void Delivered()
    {
        SessionUp();
        Interlocked.Exchange(ref _lastDeliveryTicks, time.GetUtcNow().UtcTicks);
    }
}

internal static class UplinkTransports
{
    public const string Grpc = "grpc";
    public const string Mqtt = "mqtt";
    public const string None = "none";

    /// <summary>The transport the options choose: MQTT when a broker is enabled, else gRPC when enabled, else none.</summary>
    public static string Chosen(Uplink.UplinkOptions uplink) => uplink.Mqtt.Enabled ? Mqtt : uplink.Grpc.Enabled ? Grpc : None;
}
