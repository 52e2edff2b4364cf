namespace Nexwatt.Protocols.Mqtt.Packets;

/// <summary>An immutable MQTT control packet. The formatter turns it into bytes for one protocol version and back.</summary>
internal abstract record MqttPacket
{
    public abstract MqttPacketType Type { get; }
}

/// <summary>A name/value pair of the v5 User Property (section 3.1.2.11.8).</summary>
internal readonly record struct MqttUserProperty(string Name, string Value);

/// <summary>CONNECT (3.1). Properties marked v5 are ignored when encoding 3.1.1.</summary>
internal sealed record ConnectPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Connect;
    public MqttProtocolVersion ProtocolVersion { get; init; } = MqttProtocolVersion.V500;
    public string ClientId { get; init; } = "";
    public bool CleanStart { get; init; }
    public ushort KeepAliveSeconds { get; init; }
    public string? Username { get; init; }
    public ReadOnlyMemory<byte>? Password { get; init; }
    public MqttWill? Will { get; init; }
    /// <summary>v5 Session Expiry Interval (absent when 0).</summary>
    public uint SessionExpirySeconds { get; init; }
    /// <summary>v5 Receive Maximum (absent when null).</summary>
    public ushort? ReceiveMaximum { get; init; }
    /// <summary>v5 Maximum Packet Size (absent when null).</summary>
    public uint? MaximumPacketSize { get; init; }

    public bool Equals(ConnectPacket? other) => other is not null && ProtocolVersion == other.ProtocolVersion && ClientId == other.ClientId
        && CleanStart == other.CleanStart && KeepAliveSeconds == other.KeepAliveSeconds && Username == other.Username
        && Bytes.Equal(Password, other.Password) && WillEquals(Will, other.Will) && SessionExpirySeconds == other.SessionExpirySeconds
        && ReceiveMaximum == other.ReceiveMaximum && MaximumPacketSize == other.MaximumPacketSize;

    public override int GetHashCode() => HashCode.Combine(ClientId, KeepAliveSeconds);

    private static bool WillEquals(MqttWill? a, MqttWill? b) => a is null ? b is null
        : b is not null && a.Topic == b.Topic && a.QualityOfService == b.QualityOfService && a.Retain == b.Retain && a.Payload.Span.SequenceEqual(b.Payload.Span);
}

/// <summary>CONNACK (3.2). Server-announced v5 properties are null when absent.</summary>
internal sealed record ConnAckPacket : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.ConnAck;
    public bool SessionPresent { get; init; }
    /// <summary>3.1.1 return code or 5.0 reason code; 0 is success.</summary>
    public byte ReasonCode { get; init; }
    public uint? SessionExpirySeconds { get; init; }
    public ushort? ReceiveMaximum { get; init; }
    public byte? MaximumQoS { get; init; }
    public bool? RetainAvailable { get; init; }
    public uint? MaximumPacketSize { get; init; }
    public string? AssignedClientId { get; init; }
    public ushort? TopicAliasMaximum { get; init; }
    public string? ReasonString { get; init; }
    public ushort? ServerKeepAliveSeconds { get; init; }
}

/// <summary>PUBLISH (3.3). <see cref="PacketId"/> is 0 for QoS 0.</summary>
internal sealed record PublishPacket(string Topic, ReadOnlyMemory<byte> Payload, MqttQualityOfService QualityOfService, bool Retain, bool Duplicate, ushort PacketId) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Publish;

    public bool Equals(PublishPacket? other) => other is not null && Topic == other.Topic && QualityOfService == other.QualityOfService
        && Retain == other.Retain && Duplicate == other.Duplicate && PacketId == other.PacketId && Payload.Span.SequenceEqual(other.Payload.Span);

    public override int GetHashCode() => HashCode.Combine(Topic, PacketId);
}

/// <summary>PUBACK (3.4). The reason code and string exist in 5.0 only (0 = success).</summary>
internal sealed record PubAckPacket(ushort PacketId, byte ReasonCode = 0, string? ReasonString = null) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.PubAck;
}

/// <summary>One topic filter of a SUBSCRIBE with its requested QoS.</summary>
internal readonly record struct MqttSubscription(string TopicFilter, MqttQualityOfService QualityOfService);

/// <summary>SUBSCRIBE (3.8).</summary>
internal sealed record SubscribePacket(ushort PacketId, IReadOnlyList<MqttSubscription> Subscriptions) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Subscribe;
    public bool Equals(SubscribePacket? other) => other is not null && PacketId == other.PacketId && Subscriptions.SequenceEqual(other.Subscriptions);
    public override int GetHashCode() => PacketId;
}

/// <summary>SUBACK (3.9): one return / reason code per requested filter.</summary>
internal sealed record SubAckPacket(ushort PacketId, IReadOnlyList<byte> ReasonCodes, string? ReasonString = null) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.SubAck;
    public bool Equals(SubAckPacket? other) => other is not null && PacketId == other.PacketId && ReasonCodes.SequenceEqual(other.ReasonCodes) && ReasonString == other.ReasonString;
    public override int GetHashCode() => PacketId;
}

/// <summary>UNSUBSCRIBE (3.10).</summary>
internal sealed record UnsubscribePacket(ushort PacketId, IReadOnlyList<string> TopicFilters) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Unsubscribe;
    public bool Equals(UnsubscribePacket? other) => other is not null && PacketId == other.PacketId && TopicFilters.SequenceEqual(other.TopicFilters);
    public override int GetHashCode() => PacketId;
}

/// <summary>UNSUBACK (3.11): reason codes in 5.0 only.</summary>
internal sealed record UnsubAckPacket(ushort PacketId, IReadOnlyList<byte> ReasonCodes) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.UnsubAck;
    public bool Equals(UnsubAckPacket? other) => other is not null && PacketId == other.PacketId && ReasonCodes.SequenceEqual(other.ReasonCodes);
    public override int GetHashCode() => PacketId;
}

/// <summary>PINGREQ (3.12): C0 00.</summary>
internal sealed record PingReqPacket : MqttPacket
{
    public static readonly PingReqPacket Instance = new();
    public override MqttPacketType Type => MqttPacketType.PingReq;
}

/// <summary>PINGRESP (3.13): D0 00.</summary>
internal sealed record PingRespPacket : MqttPacket
{
    public static readonly PingRespPacket Instance = new();
    public override MqttPacketType Type => MqttPacketType.PingResp;
}

/// <summary>DISCONNECT (3.14). 5.0 adds a reason code (0 = normal, no will) and properties.</summary>
internal sealed record DisconnectPacket(byte ReasonCode = 0, string? ReasonString = null, uint? SessionExpirySeconds = null, string? ServerReference = null) : MqttPacket
{
    public override MqttPacketType Type => MqttPacketType.Disconnect;
}

internal static class Bytes
{
    public static bool Equal(ReadOnlyMemory<byte>? a, ReadOnlyMemory<byte>? b)
        => a is null ? b is null : b is not null && a.Value.Span.SequenceEqual(b.Value.Span);
}
