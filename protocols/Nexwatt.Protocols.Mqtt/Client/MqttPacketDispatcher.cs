using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt.Client;

/// <summary>A packet waiting for its acknowledgement (PUBACK, SUBACK, UNSUBACK).</summary>
internal sealed class PendingAck(string description, MqttPacketType acknowledgedBy, bool holdsWindowSlot)
{
    private readonly TaskCompletionSource<MqttPacket> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Description { get; } = description;
    public MqttPacketType AcknowledgedBy { get; } = acknowledgedBy;
    public bool HoldsWindowSlot { get; } = holdsWindowSlot;
    public ushort PacketId { get; set; }
    public Task<MqttPacket> Task => _completion.Task;

    public void Complete(MqttPacket acknowledgement) => _completion.TrySetResult(acknowledgement);
    public void Fail(Exception error) => _completion.TrySetException(error);
}

/// <summary>
/// Packet identifiers of one connection (MQTT 5.0 section 2.2.1): 1..65535, handed out in rising order, wrapping,
/// and never reused while the packet that holds one awaits its acknowledgement. Once the connection is lost the
/// dispatcher is closed: everything pending fails and nothing new registers.
/// </summary>
internal sealed class MqttPacketDispatcher
{
    private readonly object _gate = new();
    private readonly Dictionary<ushort, PendingAck> _pending = [];
    private ushort _last;
    private Exception? _closed;

    public int Count { get { lock (_gate) return _pending.Count; } }

    /// <summary>Assigns a free packet id; false (with the reason) when the connection is already lost.</summary>
    public bool TryRegister(PendingAck pending, out Exception? closedReason)
    {
        lock (_gate)
        {
            closedReason = _closed;
            if (closedReason is not null) return false;
            if (_pending.Count >= ushort.MaxValue) throw new InvalidOperationException("All 65535 packet identifiers are in use.");
            do _last = _last == ushort.MaxValue ? (ushort)1 : (ushort)(_last + 1);
            while (_pending.ContainsKey(_last));
            pending.PacketId = _last;
            _pending.Add(_last, pending);
            return true;
        }
    }

    /// <summary>Removes and returns the packet waiting for <paramref name="packetId"/>, or null if none.</summary>
    public PendingAck? TryTake(ushort packetId)
    {
        lock (_gate) return _pending.Remove(packetId, out var pending) ? pending : null;
    }

    /// <summary>Closes the dispatcher and returns everything that was pending.</summary>
    public List<PendingAck> Close(Exception reason)
    {
        lock (_gate)
        {
            _closed ??= reason;
            var all = _pending.Values.ToList();
            _pending.Clear();
            return all;
        }
    }
}
