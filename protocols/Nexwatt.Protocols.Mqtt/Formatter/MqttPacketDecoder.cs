using Nexwatt.Protocols.Mqtt.Formatter.V5;
using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt.Formatter;

/// <summary>
/// Bytes → packet, for MQTT 3.1.1 and 5.0. The body is the whole packet after the fixed header. Everything a
/// broker could get wrong is a <see cref="MqttProtocolException"/>: reserved flags (section 2.1.3 / 2.2.2), QoS 3,
/// short or trailing bytes, bad UTF-8, invalid or misplaced properties, packet types this client does not speak
/// (QoS 2 flow, AUTH). Pure: no I/O, no clock; allocations are bounded by the body.
/// </summary>
internal static class MqttPacketDecoder
{
    public static MqttPacket Decode(byte fixedHeader, ReadOnlySpan<byte> body, MqttProtocolVersion version)
    {
        var type = (MqttPacketType)(fixedHeader >> 4);
        var flags = fixedHeader & 0x0F;
        var v5 = version == MqttProtocolVersion.V500;
        switch (type)
        {
            case MqttPacketType.Publish:
                return DecodePublish(flags, body, v5);
            case MqttPacketType.PubAck:
                CheckFlags(type, flags, 0);
                return DecodePubAck(body, v5);
            case MqttPacketType.PingReq:
            case MqttPacketType.PingResp:
                CheckFlags(type, flags, 0);
                if (!body.IsEmpty) throw new MqttProtocolException($"Malformed {type} packet: remaining length {body.Length}, expected 0.");
                return type == MqttPacketType.PingReq ? PingReqPacket.Instance : PingRespPacket.Instance;
            case MqttPacketType.ConnAck:
                CheckFlags(type, flags, 0);
                return DecodeConnAck(body, v5);
            case MqttPacketType.SubAck:
                CheckFlags(type, flags, 0);
                return DecodeSubAck(body, v5);
            case MqttPacketType.UnsubAck:
                CheckFlags(type, flags, 0);
                return DecodeUnsubAck(body, v5);
            case MqttPacketType.Disconnect:
                CheckFlags(type, flags, 0);
                return DecodeDisconnect(body, v5);
            case MqttPacketType.Connect:
                CheckFlags(type, flags, 0);
                return DecodeConnect(body);
            case MqttPacketType.Subscribe:
                CheckFlags(type, flags, 0x02);
                return DecodeSubscribe(body, v5);
            case MqttPacketType.Unsubscribe:
                CheckFlags(type, flags, 0x02);
                return DecodeUnsubscribe(body, v5);
            case MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp:
                throw new MqttProtocolException($"Unexpected {type} packet: this client never uses QoS 2.");
            case MqttPacketType.Auth when v5:
                throw new MqttProtocolException("Unexpected AUTH packet: this client uses no enhanced authentication.");
            default:
                throw new MqttProtocolException($"Malformed packet: unknown control packet type {(int)type} for MQTT {(v5 ? "5.0" : "3.1.1")}.");
        }
    }

    private static void CheckFlags(MqttPacketType type, int flags, int expected)
    {
        if (flags != expected) throw new MqttProtocolException($"Malformed {type} packet: fixed header flags 0x{flags:X} must be 0x{expected:X}.");
    }

    /// <summary>Section 3.3.</summary>
    private static PublishPacket DecodePublish(int flags, ReadOnlySpan<byte> body, bool v5)
    {
        var qos = (flags >> 1) & 0x03;
        var dup = (flags & 0x08) != 0;
        if (qos == 3) throw new MqttProtocolException("Malformed PUBLISH packet: QoS 3 (both QoS bits set).");
        if (qos == 2) throw new MqttProtocolException("Unexpected QoS 2 PUBLISH: this client subscribes with QoS 1 at most.");
        if (qos == 0 && dup) throw new MqttProtocolException("Malformed PUBLISH packet: DUP set on a QoS 0 message.");
        var reader = new MqttSpanReader(body, "PUBLISH");
        var topic = reader.ReadString();
        ushort packetId = 0;
        if (qos > 0)
        {
            packetId = reader.ReadUInt16();
            if (packetId == 0) throw reader.Malformed("has packet identifier 0");
        }
        if (v5)
        {
            var properties = MqttPropertyReader.Read(ref reader, MqttPropertyContext.Publish);
            // We announce no Topic Alias Maximum, so the broker must not use aliases (section 3.3.2.3.4).
            if (properties.TopicAlias is not null) throw reader.Malformed("uses a Topic Alias although this client allows none");
        }
        if (topic.Length == 0) throw reader.Malformed("has an empty topic name");
        if (topic.AsSpan().IndexOfAny('+', '#') >= 0) throw reader.Malformed($"has wildcards in the topic name '{topic}'");
        var payload = reader.ReadToEnd().ToArray();
        return new PublishPacket(topic, payload, (MqttQualityOfService)qos, (flags & 0x01) != 0, dup, packetId);
    }

    /// <summary>Section 3.4; v5 reason code and properties may be omitted (3.4.2.1).</summary>
    private static PubAckPacket DecodePubAck(ReadOnlySpan<byte> body, bool v5)
    {
        var reader = new MqttSpanReader(body, "PUBACK");
        var packetId = ReadPacketId(ref reader);
        byte reason = 0;
        string? reasonString = null;
        if (v5)
        {
            if (!reader.End) reason = reader.ReadByte();
            if (!reader.End) reasonString = MqttPropertyReader.Read(ref reader, MqttPropertyContext.PubAck).ReasonString;
            if (reason is not (0x00 or 0x10 or 0x80 or 0x83 or 0x87 or 0x90 or 0x91 or 0x97 or 0x99))
                throw reader.Malformed($"has reason code 0x{reason:X2}, which PUBACK does not define");
        }
        reader.ExpectEnd();
        return new PubAckPacket(packetId, reason, reasonString);
    }

    /// <summary>Section 3.2.</summary>
    private static ConnAckPacket DecodeConnAck(ReadOnlySpan<byte> body, bool v5)
    {
        var reader = new MqttSpanReader(body, "CONNACK");
        var acknowledgeFlags = reader.ReadByte();
        if ((acknowledgeFlags & 0xFE) != 0) throw reader.Malformed($"has reserved acknowledge flags set (0x{acknowledgeFlags:X2})");
        var code = reader.ReadByte();
        if (!v5)
        {
            if (code > 5) throw reader.Malformed($"has return code {code} (3.1.1 defines 0..5)");
            reader.ExpectEnd();
            return new ConnAckPacket { SessionPresent = (acknowledgeFlags & 1) != 0, ReasonCode = code };
        }
        if (code is not 0 and < 0x80) throw reader.Malformed($"has reason code 0x{code:X2}, which CONNACK does not define");
        // Lenient: accept a v5 CONNACK without a property length (some brokers send 2 bytes on refusal).
        var p = reader.End ? MqttProperties.Empty : MqttPropertyReader.Read(ref reader, MqttPropertyContext.ConnAck);
        reader.ExpectEnd();
        return new ConnAckPacket
        {
            SessionPresent = (acknowledgeFlags & 1) != 0,
            ReasonCode = code,
            SessionExpirySeconds = p.SessionExpiryInterval,
            ReceiveMaximum = p.ReceiveMaximum,
            MaximumQoS = p.MaximumQoS,
            RetainAvailable = p.RetainAvailable,
            MaximumPacketSize = p.MaximumPacketSize,
            AssignedClientId = p.AssignedClientIdentifier,
            TopicAliasMaximum = p.TopicAliasMaximum,
            ReasonString = p.ReasonString,
            ServerKeepAliveSeconds = p.ServerKeepAlive,
        };
    }

    /// <summary>Section 3.9.</summary>
    private static SubAckPacket DecodeSubAck(ReadOnlySpan<byte> body, bool v5)
    {
        var reader = new MqttSpanReader(body, "SUBACK");
        var packetId = ReadPacketId(ref reader);
        string? reasonString = null;
        if (v5) reasonString = MqttPropertyReader.Read(ref reader, MqttPropertyContext.SubAck).ReasonString;
        if (reader.End) throw reader.Malformed("has no return codes");
        var codes = reader.ReadToEnd().ToArray();
        foreach (var code in codes)
        {
            var valid = v5
                ? code is 0x00 or 0x01 or 0x02 or 0x80 or 0x83 or 0x87 or 0x8F or 0x91 or 0x97 or 0x9E or 0xA1 or 0xA2
                : code is 0x00 or 0x01 or 0x02 or 0x80;
            if (!valid) throw reader.Malformed($"has return code 0x{code:X2}, which SUBACK does not define");
        }
        return new SubAckPacket(packetId, codes, reasonString);
    }

    /// <summary>Section 3.11.</summary>
    private static UnsubAckPacket DecodeUnsubAck(ReadOnlySpan<byte> body, bool v5)
    {
        var reader = new MqttSpanReader(body, "UNSUBACK");
        var packetId = ReadPacketId(ref reader);
        if (!v5)
        {
            reader.ExpectEnd();
            return new UnsubAckPacket(packetId, []);
        }
        MqttPropertyReader.Read(ref reader, MqttPropertyContext.UnsubAck);
        if (reader.End) throw reader.Malformed("has no reason codes");
        return new UnsubAckPacket(packetId, reader.ReadToEnd().ToArray());
    }

    /// <summary>Section 3.14; v5 reason code and properties may be omitted (3.14.2.1).</summary>
    private static DisconnectPacket DecodeDisconnect(ReadOnlySpan<byte> body, bool v5)
    {
        var reader = new MqttSpanReader(body, "DISCONNECT");
        if (!v5)
        {
            reader.ExpectEnd();
            return new DisconnectPacket();
        }
        byte reason = 0;
        MqttProperties p = MqttProperties.Empty;
        if (!reader.End) reason = reader.ReadByte();
        if (!reader.End) p = MqttPropertyReader.Read(ref reader, MqttPropertyContext.Disconnect);
        reader.ExpectEnd();
        if (reason is not (0x00 or 0x04) and < 0x80) throw reader.Malformed($"has reason code 0x{reason:X2}, which DISCONNECT does not define");
        return new DisconnectPacket(reason, p.ReasonString, p.SessionExpiryInterval, p.ServerReference);
    }

    /// <summary>Section 3.1 (server side: used by the in-memory test broker and the fuzzers).</summary>
    private static ConnectPacket DecodeConnect(ReadOnlySpan<byte> body)
    {
        var reader = new MqttSpanReader(body, "CONNECT");
        var name = reader.ReadString();
        if (name != "MQTT") throw reader.Malformed($"has protocol name '{name}', expected 'MQTT'");
        var level = reader.ReadByte();
        if (level is not (4 or 5)) throw reader.Malformed($"has protocol level {level}; 4 (3.1.1) and 5 (5.0) are supported");
        var v5 = level == 5;
        var flags = reader.ReadByte();
        if ((flags & 0x01) != 0) throw reader.Malformed("has the reserved connect flag set");
        var hasWill = (flags & 0x04) != 0;
        var willQos = (flags >> 3) & 0x03;
        var willRetain = (flags & 0x20) != 0;
        if (!hasWill && (willQos != 0 || willRetain)) throw reader.Malformed("has will QoS or will retain without a will");
        if (willQos > 1) throw reader.Malformed($"has will QoS {willQos}; this implementation supports 0 and 1");
        var hasUser = (flags & 0x80) != 0;
        var hasPassword = (flags & 0x40) != 0;
        if (!v5 && hasPassword && !hasUser) throw reader.Malformed("has a password without a user name (3.1.1)");
        var keepAlive = reader.ReadUInt16();
        var p = v5 ? MqttPropertyReader.Read(ref reader, MqttPropertyContext.Connect) : MqttProperties.Empty;
        var clientId = reader.ReadString();
        MqttWill? will = null;
        if (hasWill)
        {
            if (v5) MqttPropertyReader.Read(ref reader, MqttPropertyContext.Will);
            var topic = reader.ReadString();
            if (!MqttTopic.IsValidTopicName(topic, out var why)) throw reader.Malformed($"has an invalid will topic: {why}");
            will = new MqttWill(topic, reader.ReadBinary(), (MqttQualityOfService)willQos, willRetain);
        }
        var username = hasUser ? reader.ReadString() : null;
        ReadOnlyMemory<byte>? password = hasPassword ? (ReadOnlyMemory<byte>?)reader.ReadBinary() : null;
        reader.ExpectEnd();
        return new ConnectPacket
        {
            ProtocolVersion = (MqttProtocolVersion)level,
            ClientId = clientId,
            CleanStart = (flags & 0x02) != 0,
            KeepAliveSeconds = keepAlive,
            Username = username,
            Password = password,
            Will = will,
            SessionExpirySeconds = p.SessionExpiryInterval ?? 0,
            ReceiveMaximum = p.ReceiveMaximum,
            MaximumPacketSize = p.MaximumPacketSize,
        };
    }

    /// <summary>Section 3.8.</summary>
    private static SubscribePacket DecodeSubscribe(ReadOnlySpan<byte> body, bool v5)
    {
        var reader = new MqttSpanReader(body, "SUBSCRIBE");
        var packetId = ReadPacketId(ref reader);
        if (v5) MqttPropertyReader.Read(ref reader, MqttPropertyContext.Subscribe);
        var subscriptions = new List<MqttSubscription>();
        do
        {
            var filter = reader.ReadString();
            if (!MqttTopic.IsValidTopicFilter(filter, out var why)) throw reader.Malformed($"has an invalid topic filter: {why}");
            var options = reader.ReadByte();
            if ((options & (v5 ? 0xC0 : 0xFC)) != 0) throw reader.Malformed($"has reserved subscription option bits set (0x{options:X2})");
            if (v5 && ((options >> 4) & 0x03) == 3) throw reader.Malformed("has retain handling 3");
            var qos = options & 0x03;
            if (qos > 1) throw reader.Malformed($"requests QoS {qos}; this implementation supports 0 and 1");
            subscriptions.Add(new MqttSubscription(filter, (MqttQualityOfService)qos));
        }
        while (!reader.End);
        return new SubscribePacket(packetId, subscriptions);
    }

    /// <summary>Section 3.10.</summary>
    private static UnsubscribePacket DecodeUnsubscribe(ReadOnlySpan<byte> body, bool v5)
    {
        var reader = new MqttSpanReader(body, "UNSUBSCRIBE");
        var packetId = ReadPacketId(ref reader);
        if (v5) MqttPropertyReader.Read(ref reader, MqttPropertyContext.Unsubscribe);
        var filters = new List<string>();
        do filters.Add(reader.ReadString());
        while (!reader.End);
        return new UnsubscribePacket(packetId, filters);
    }

    private static ushort ReadPacketId(ref MqttSpanReader reader)
    {
        var id = reader.ReadUInt16();
        if (id == 0) throw reader.Malformed("has packet identifier 0");
        return id;
    }
}
