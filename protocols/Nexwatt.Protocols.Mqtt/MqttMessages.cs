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
public sealed record MqttApplicationMessage(string Topic, ReadOnlyMemory<byte> Payload, MqttQualityOfService QualityOfService, bool Retain);

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
