namespace Nexwatt.Protocols.Mqtt;

/// <summary>Base of the MQTT error taxonomy; retry policy is one check of <see cref="IsTransient"/>.</summary>
public abstract class MqttException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected MqttException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>True when the same operation may succeed if retried later (typically after a reconnect).</summary>
    public abstract bool IsTransient { get; }
}

/// <summary>The client had no connection when the operation was called; nothing was sent.</summary>
public sealed class MqttNotConnectedException : MqttException
{
    /// <summary>Creates the exception.</summary>
    public MqttNotConnectedException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <inheritdoc />
    public override bool IsTransient => true;
}

/// <summary>
/// The connection dropped before the operation completed (for a QoS 1 publish: before its PUBACK). The message may
/// or may not have reached the broker; the caller resends it from its own buffer.
/// </summary>
public sealed class MqttConnectionLostException : MqttException
{
    /// <summary>Creates the exception.</summary>
    public MqttConnectionLostException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <inheritdoc />
    public override bool IsTransient => true;
}

/// <summary>The broker sent a malformed or unexpected packet; the connection was closed and will be re-established.</summary>
public sealed class MqttProtocolException : MqttException
{
    /// <summary>Creates the exception.</summary>
    public MqttProtocolException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>True when the packet was refused only for being over the receiver's maximum packet size (reason 0x95).</summary>
    public bool IsPacketTooLarge { get; init; }

    /// <inheritdoc />
    public override bool IsTransient => true;
}

/// <summary>The broker refused the connection in its CONNACK (MQTT 5.0 section 3.2.2.2, 3.1.1 section 3.2.2.3).</summary>
public sealed class MqttConnectRefusedException : MqttException
{
    /// <summary>Creates the exception for a CONNACK return code (3.1.1) or reason code (5.0).</summary>
    public MqttConnectRefusedException(MqttProtocolVersion protocolVersion, byte reasonCode, string? reasonString = null)
        : base($"The broker refused the MQTT {(protocolVersion == MqttProtocolVersion.V311 ? "3.1.1" : "5.0")} connection: " +
               $"{MqttReasonCodes.DescribeConnect(protocolVersion, reasonCode)} (0x{reasonCode:X2})" +
               (string.IsNullOrEmpty(reasonString) ? "." : $": {reasonString}."))
    {
        ProtocolVersion = protocolVersion;
        ReasonCode = reasonCode;
    }

    /// <summary>The version whose code space <see cref="ReasonCode"/> belongs to.</summary>
    public MqttProtocolVersion ProtocolVersion { get; }

    /// <summary>The CONNACK return code (3.1.1: 1..5) or reason code (5.0: 0x80..0xFF).</summary>
    public byte ReasonCode { get; }

    /// <summary>True when the broker was merely unavailable or busy; false for bad credentials, not authorized, bad client id, unsupported version.</summary>
    public bool IsBadCredentialsOrNotAuthorized => ProtocolVersion == MqttProtocolVersion.V311
        ? ReasonCode is 4 or 5
        : ReasonCode is 0x86 or 0x87 or 0x8C;

    /// <inheritdoc />
    public override bool IsTransient => ProtocolVersion == MqttProtocolVersion.V311
        ? ReasonCode == 3 // server unavailable
        : ReasonCode is 0x80 or 0x83 or 0x88 or 0x89 or 0x97 or 0x9C or 0x9D or 0x9F;
}

/// <summary>The broker answered a QoS 1 PUBLISH with a v5 PUBACK reason code of 0x80 or above.</summary>
public sealed class MqttPublishRejectedException : MqttException
{
    /// <summary>Creates the exception.</summary>
    public MqttPublishRejectedException(string topic, byte reasonCode, string? reasonString = null)
        : base($"The broker rejected the publish to '{topic}': {MqttReasonCodes.Describe(reasonCode)} (0x{reasonCode:X2})" +
               (string.IsNullOrEmpty(reasonString) ? "." : $": {reasonString}."))
    {
        Topic = topic;
        ReasonCode = reasonCode;
    }

    /// <summary>The topic of the rejected message.</summary>
    public string Topic { get; }

    /// <summary>The PUBACK reason code (MQTT 5.0 section 3.4.2.1).</summary>
    public byte ReasonCode { get; }

    /// <inheritdoc />
    public override bool IsTransient => ReasonCode is 0x80 or 0x83 or 0x97;
}

/// <summary>The broker refused a subscription in its SUBACK (3.1.1: 0x80; 5.0: reason code of 0x80 or above).</summary>
public sealed class MqttSubscribeRejectedException : MqttException
{
    /// <summary>Creates the exception.</summary>
    public MqttSubscribeRejectedException(string topicFilter, byte reasonCode, string? reasonString = null)
        : base($"The broker refused the subscription to '{topicFilter}': {MqttReasonCodes.Describe(reasonCode)} (0x{reasonCode:X2})" +
               (string.IsNullOrEmpty(reasonString) ? "." : $": {reasonString}."))
    {
        TopicFilter = topicFilter;
        ReasonCode = reasonCode;
    }

    /// <summary>The refused topic filter.</summary>
    public string TopicFilter { get; }

    /// <summary>The SUBACK return / reason code.</summary>
    public byte ReasonCode { get; }

    /// <inheritdoc />
    public override bool IsTransient => ReasonCode is 0x97;
}
