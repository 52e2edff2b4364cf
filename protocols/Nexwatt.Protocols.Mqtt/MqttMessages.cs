namespace Nexwatt.Protocols.Mqtt;

/// <summary>
/// The Will Message the broker publishes when the connection ends without a clean DISCONNECT
/// (keep-alive expiry, network failure) — MQTT 5.0 section 3.1.2.5, 3.1.1 section 3.1.2.5.
/// </summary>
/// <param name="Topic">Topic name (no wildcards).</param>
/// <param name="Payload">Will payload.</param>
/// <param name="QualityOfService">QoS the broker publishes the will with.</param>
/// <param name="Retain">Whether the broker retains the will.</param>
public sealed record MqttWill(string Topic, ReadOnlyMemory<byte> Payload, MqttQualityOfService QualityOfService, bool Retain);

/// <summary>A PUBLISH received from the broker.</summary>
/// <param name="Topic">Topic name the message was published to.</param>
/// <param name="Payload">Application payload (owned by the receiver: a copy of the wire bytes).</param>
/// <param name="QualityOfService">QoS of the delivery.</param>
/// <param name="Retain">True when the broker delivered a retained message.</param>
public sealed record MqttApplicationMessage(string Topic, ReadOnlyMemory<byte> Payload, MqttQualityOfService QualityOfService, bool Retain)
{
    /// <summary>Set on QoS 1 messages of a client with manual acknowledgement; null otherwise.</summary>
    internal Client.InboundAcknowledgement? Acknowledgement { get; init; }

    /// <summary>
    /// With <see cref="MqttClientOptions.ManualAcknowledgement"/>: tells the broker that this QoS 1 message is handled
    /// (PUBACK), so it will not deliver it again. Call it once the message is safe (stored, applied). Never blocks and
    /// never throws; calling it twice is harmless.
    /// <list type="bullet">
    /// <item>PUBACKs leave in the order the messages arrived (MQTT section 4.6): acknowledging a message before an
    /// earlier one holds its PUBACK until the earlier one is acknowledged as well.</item>
    /// <item>If the connection the message arrived on has been lost, the acknowledgement is dropped: the broker delivers
    /// the message again on the resumed session (same packet id, DUP set), and that copy is the one to acknowledge.
    /// The application therefore sees a message at least once, and possibly twice.</item>
    /// <item>A no-op for QoS 0 messages and for clients that acknowledge automatically.</item>
    /// </list>
    /// </summary>
    public void Acknowledge() => Acknowledgement?.Acknowledge();
}

/// <summary>Raised by <see cref="MqttClient.ConnectionChanged"/>.</summary>
public sealed class MqttConnectionChangedEventArgs : EventArgs
{
    /// <summary>Creates the event arguments.</summary>
    public MqttConnectionChangedEventArgs(bool isConnected, bool sessionPresent, string? reason)
    {
        IsConnected = isConnected;
        SessionPresent = sessionPresent;
        Reason = reason;
    }

    /// <summary>True after a successful CONNACK, false when the connection was lost or closed.</summary>
    public bool IsConnected { get; }

    /// <summary>The CONNACK's Session Present flag (false on loss).</summary>
    public bool SessionPresent { get; }

    /// <summary>Why the connection ended (null on connect).</summary>
    public string? Reason { get; }
}
