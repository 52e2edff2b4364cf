namespace Nexwatt.Protocols.Mqtt.Client;

/// <summary>
/// The PUBACKs one connection owes the broker in manual acknowledgement mode. The application may acknowledge
/// messages in any order, but PUBACKs must leave in the order the PUBLISH packets arrived (MQTT 3.1.1 and 5.0
/// section 4.6, [MQTT-4.6.0-2]), so an acknowledged message waits here until every earlier one is acknowledged too.
/// Once the connection is lost the queue is closed: its packet ids meant something only on that connection, and the
/// broker resends every unacknowledged message on the resumed session with its original id (section 4.4), where a
/// PUBACK left over from the old connection would acknowledge a message nobody has handled.
/// </summary>
/// <param name="sendPubAck">Queues a PUBACK on the connection's writer; false when the connection is already closing.</param>
/// <param name="dropped">Told (outside the lock) about an acknowledgement that came too late for its connection.</param>
internal sealed class InboundAcknowledgements(Func<ushort, bool> sendPubAck, Action<ushort>? dropped = null)
{
    private readonly object _gate = new();
    private readonly Queue<InboundAcknowledgement> _received = new();
    private bool _closed;

    /// <summary>QoS 1 messages received on this connection whose PUBACK has not been sent yet.</summary>
    public int Pending { get { lock (_gate) return _received.Count; } }

    /// <summary>Registers a QoS 1 PUBLISH as it arrives (the read loop calls this in receive order).</summary>
    public InboundAcknowledgement Track(ushort packetId)
    {
        var acknowledgement = new InboundAcknowledgement(this, packetId);
        lock (_gate)
            if (!_closed) _received.Enqueue(acknowledgement);
        return acknowledgement;
    }

    /// <summary>
    /// Marks one message handled and sends every PUBACK that is now due, in receive order. False when the connection
    /// is gone and nothing was (or will be) sent for it. Acknowledging twice is harmless.
    /// </summary>
    public bool Acknowledge(InboundAcknowledgement acknowledgement)
    {
        if (AcknowledgeLocked(acknowledgement)) return true;
        dropped?.Invoke(acknowledgement.PacketId);
        return false;
    }

    private bool AcknowledgeLocked(InboundAcknowledgement acknowledgement)
    {
        lock (_gate)
        {
            acknowledgement.IsAcknowledged = true;
            if (_closed) return false;
            // Sent under the lock: two threads acknowledging at once must not interleave their PUBACKs out of order.
            while (_received.TryPeek(out var head) && head.IsAcknowledged)
            {
                if (!sendPubAck(head.PacketId))
                {
                    CloseLocked();
                    return false;
                }
                _received.Dequeue();
            }
            return true;
        }
    }

    /// <summary>Forgets everything owed: the connection is lost.</summary>
    public void Close()
    {
        lock (_gate) CloseLocked();
    }

    private void CloseLocked()
    {
        _closed = true;
        _received.Clear();
    }
}

/// <summary>The handle an incoming QoS 1 message carries in manual acknowledgement mode.</summary>
internal sealed class InboundAcknowledgement(InboundAcknowledgements owner, ushort packetId)
{
    public ushort PacketId { get; } = packetId;

    /// <summary>Set under the owner's lock.</summary>
    public bool IsAcknowledged { get; set; }

    public bool Acknowledge() => owner.Acknowledge(this);
}
