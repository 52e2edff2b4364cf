using System.Buffers;
using Nexwatt.Protocols.Mqtt.Formatter.V5;
using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt.Formatter;

/// <summary>
/// Packet → bytes, for MQTT 3.1.1 and 5.0 (one encoder with version switches: the two share the fixed header, the
/// variable header layouts and the payloads; 5.0 adds reason codes and properties). Every packet starts with the
/// fixed header (section 2.1.1 of both): type &lt;&lt; 4 | flags, then the remaining length as a variable byte integer.
/// Sizes are computed first, so each packet is written once into one span. Pure: no I/O, no clock.
/// </summary>
internal static class MqttPacketEncoder
{
    /// <summary>Encodes <paramref name="packet"/> into <paramref name="output"/>; returns the packet's length in bytes.</summary>
    public static int Encode(MqttPacket packet, MqttProtocolVersion version, IBufferWriter<byte> output) => packet switch
    {
        PublishPacket p => EncodePublish(p, version, output),
        PubAckPacket p => EncodePubAck(p, version, output),
        PingReqPacket => EncodeEmpty(MqttPacketType.PingReq, output),
        PingRespPacket => EncodeEmpty(MqttPacketType.PingResp, output),
        ConnectPacket p => EncodeConnect(p, output),
        ConnAckPacket p => EncodeConnAck(p, version, output),
        SubscribePacket p => EncodeSubscribe(p, version, output),
        SubAckPacket p => EncodeSubAck(p, version, output),
        UnsubscribePacket p => EncodeUnsubscribe(p, version, output),
        UnsubAckPacket p => EncodeUnsubAck(p, version, output),
        DisconnectPacket p => EncodeDisconnect(p, version, output),
        _ => throw new ArgumentException($"Cannot encode {packet.GetType().Name}.", nameof(packet)),
    };

    /// <summary>Encodes to a new array (tests, rare packets).</summary>
    public static byte[] ToArray(MqttPacket packet, MqttProtocolVersion version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Encode(packet, version, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Section 3.3: topic, packet id (QoS &gt; 0), v5 properties (none sent), payload.</summary>
    public static int EncodePublish(PublishPacket p, MqttProtocolVersion version, IBufferWriter<byte> output)
    {
        if (p.QualityOfService != MqttQualityOfService.AtMostOnce && p.PacketId == 0) throw new ArgumentException("A QoS 1 PUBLISH needs a packet id.", nameof(p));
        var remaining = MqttSpanWriter.StringSize(p.Topic) + (p.QualityOfService == MqttQualityOfService.AtMostOnce ? 0 : 2)
            + (version == MqttProtocolVersion.V500 ? 1 : 0) + p.Payload.Length;
        var flags = (byte)((p.Duplicate ? 0x08 : 0) | ((byte)p.QualityOfService << 1) | (p.Retain ? 0x01 : 0));
        var writer = Begin(MqttPacketType.Publish, flags, remaining, output, out var total);
        writer.WriteString(p.Topic);
        if (p.QualityOfService != MqttQualityOfService.AtMostOnce) writer.WriteUInt16(p.PacketId);
        if (version == MqttProtocolVersion.V500) writer.WriteVariableByteInteger(0);
        writer.WriteBytes(p.Payload.Span);
        output.Advance(total);
        return total;
    }

    /// <summary>Section 3.4: packet id; v5 adds a reason code and properties, both omitted when success with none (3.4.2.1).</summary>
    public static int EncodePubAck(PubAckPacket p, MqttProtocolVersion version, IBufferWriter<byte> output)
    {
        var props = new MqttPropertyWriter().ReasonString(p.ReasonString);
        var v5 = version == MqttProtocolVersion.V500;
        var remaining = 2;
        if (v5 && (p.ReasonCode != 0 || !props.IsEmpty)) remaining += 1 + (props.IsEmpty ? 0 : props.TotalSize);
        var writer = Begin(MqttPacketType.PubAck, 0, remaining, output, out var total);
        writer.WriteUInt16(p.PacketId);
        if (remaining > 2) writer.WriteByte(p.ReasonCode);
        if (remaining > 3) props.Write(ref writer);
        output.Advance(total);
        return total;
    }

    private static int EncodeEmpty(MqttPacketType type, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(2);
        span[0] = (byte)((byte)type << 4);
        span[1] = 0;
        output.Advance(2);
        return 2;
    }

    /// <summary>
    /// Section 3.1: protocol name "MQTT", level, connect flags, keep alive, (v5 properties), then the payload:
    /// client id, (v5 will properties), will topic, will payload, user name, password.
    /// </summary>
    public static int EncodeConnect(ConnectPacket p, IBufferWriter<byte> output)
    {
        var v5 = p.ProtocolVersion == MqttProtocolVersion.V500;
        var props = new MqttPropertyWriter()
            .SessionExpiry(p.SessionExpirySeconds == 0 ? null : p.SessionExpirySeconds)
            .ReceiveMaximum(p.ReceiveMaximum)
            .MaximumPacketSize(p.MaximumPacketSize);
        var remaining = 6 + 1 + 1 + 2 + (v5 ? props.TotalSize : 0) + MqttSpanWriter.StringSize(p.ClientId);
        if (p.Will is { } will) remaining += (v5 ? 1 : 0) + MqttSpanWriter.StringSize(will.Topic) + MqttSpanWriter.BinarySize(will.Payload.Length);
        if (p.Username is { } user) remaining += MqttSpanWriter.StringSize(user);
        if (p.Password is { } password) remaining += MqttSpanWriter.BinarySize(password.Length);

        var flags = (byte)((p.Username is not null ? 0x80 : 0) | (p.Password is not null ? 0x40 : 0) | (p.CleanStart ? 0x02 : 0));
        if (p.Will is { } w) flags |= (byte)(0x04 | ((byte)w.QualityOfService << 3) | (w.Retain ? 0x20 : 0));

        var writer = Begin(MqttPacketType.Connect, 0, remaining, output, out var total);
        writer.WriteString("MQTT");
        writer.WriteByte((byte)p.ProtocolVersion);
        writer.WriteByte(flags);
        writer.WriteUInt16(p.KeepAliveSeconds);
        if (v5) props.Write(ref writer);
        writer.WriteString(p.ClientId);
        if (p.Will is { } will2)
        {
            if (v5) writer.WriteVariableByteInteger(0);
            writer.WriteString(will2.Topic);
            writer.WriteBinary(will2.Payload.Span);
        }
        if (p.Username is { } username) writer.WriteString(username);
        if (p.Password is { } pass) writer.WriteBinary(pass.Span);
        output.Advance(total);
        return total;
    }

    /// <summary>Section 3.2: acknowledge flags, return / reason code, v5 properties (used by the test broker).</summary>
    public static int EncodeConnAck(ConnAckPacket p, MqttProtocolVersion version, IBufferWriter<byte> output)
    {
        var props = new MqttPropertyWriter()
            .SessionExpiry(p.SessionExpirySeconds).ReceiveMaximum(p.ReceiveMaximum).MaximumQoS(p.MaximumQoS)
            .RetainAvailable(p.RetainAvailable).MaximumPacketSize(p.MaximumPacketSize).AssignedClientId(p.AssignedClientId)
            .TopicAliasMaximum(p.TopicAliasMaximum).ReasonString(p.ReasonString).ServerKeepAlive(p.ServerKeepAliveSeconds);
        var v5 = version == MqttProtocolVersion.V500;
        var writer = Begin(MqttPacketType.ConnAck, 0, 2 + (v5 ? props.TotalSize : 0), output, out var total);
        writer.WriteByte(p.SessionPresent ? (byte)1 : (byte)0);
        writer.WriteByte(p.ReasonCode);
        if (v5) props.Write(ref writer);
        output.Advance(total);
        return total;
    }

    /// <summary>Section 3.8: packet id, (v5 properties), then filter + subscription options per subscription. Fixed header flags 0010.</summary>
    public static int EncodeSubscribe(SubscribePacket p, MqttProtocolVersion version, IBufferWriter<byte> output)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var remaining = 2 + (v5 ? 1 : 0);
        foreach (var s in p.Subscriptions) remaining += MqttSpanWriter.StringSize(s.TopicFilter) + 1;
        var writer = Begin(MqttPacketType.Subscribe, 0x02, remaining, output, out var total);
        writer.WriteUInt16(p.PacketId);
        if (v5) writer.WriteVariableByteInteger(0);
        foreach (var s in p.Subscriptions)
        {
            writer.WriteString(s.TopicFilter);
            writer.WriteByte((byte)s.QualityOfService); // v5: no-local 0, retain-as-published 0, retain handling 0
        }
        output.Advance(total);
        return total;
    }

    /// <summary>Section 3.9: packet id, (v5 properties), one code per filter.</summary>
    public static int EncodeSubAck(SubAckPacket p, MqttProtocolVersion version, IBufferWriter<byte> output)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var props = new MqttPropertyWriter().ReasonString(p.ReasonString);
        var writer = Begin(MqttPacketType.SubAck, 0, 2 + (v5 ? props.TotalSize : 0) + p.ReasonCodes.Count, output, out var total);
        writer.WriteUInt16(p.PacketId);
        if (v5) props.Write(ref writer);
        foreach (var code in p.ReasonCodes) writer.WriteByte(code);
        output.Advance(total);
        return total;
    }

    /// <summary>Section 3.10: packet id, (v5 properties), filters. Fixed header flags 0010.</summary>
    public static int EncodeUnsubscribe(UnsubscribePacket p, MqttProtocolVersion version, IBufferWriter<byte> output)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var remaining = 2 + (v5 ? 1 : 0);
        foreach (var f in p.TopicFilters) remaining += MqttSpanWriter.StringSize(f);
        var writer = Begin(MqttPacketType.Unsubscribe, 0x02, remaining, output, out var total);
        writer.WriteUInt16(p.PacketId);
        if (v5) writer.WriteVariableByteInteger(0);
        foreach (var f in p.TopicFilters) writer.WriteString(f);
        output.Advance(total);
        return total;
    }

    /// <summary>Section 3.11: packet id; v5 adds properties and one reason code per filter.</summary>
    public static int EncodeUnsubAck(UnsubAckPacket p, MqttProtocolVersion version, IBufferWriter<byte> output)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var writer = Begin(MqttPacketType.UnsubAck, 0, 2 + (v5 ? 1 + p.ReasonCodes.Count : 0), output, out var total);
        writer.WriteUInt16(p.PacketId);
        if (v5)
        {
            writer.WriteVariableByteInteger(0);
            foreach (var code in p.ReasonCodes) writer.WriteByte(code);
        }
        output.Advance(total);
        return total;
    }

    /// <summary>Section 3.14: empty in 3.1.1; v5 reason code and properties, both omitted for a normal disconnect with none.</summary>
    public static int EncodeDisconnect(DisconnectPacket p, MqttProtocolVersion version, IBufferWriter<byte> output)
    {
        if (version != MqttProtocolVersion.V500) return EncodeEmpty(MqttPacketType.Disconnect, output);
        var props = new MqttPropertyWriter().ReasonString(p.ReasonString).SessionExpiry(p.SessionExpirySeconds).ServerReference(p.ServerReference);
        var remaining = p.ReasonCode == 0 && props.IsEmpty ? 0 : props.IsEmpty ? 1 : 1 + props.TotalSize;
        var writer = Begin(MqttPacketType.Disconnect, 0, remaining, output, out var total);
        if (remaining > 0) writer.WriteByte(p.ReasonCode);
        if (remaining > 1) props.Write(ref writer);
        output.Advance(total);
        return total;
    }

    /// <summary>Writes the fixed header and returns a writer positioned on the variable header.</summary>
    private static MqttSpanWriter Begin(MqttPacketType type, byte flags, int remaining, IBufferWriter<byte> output, out int total)
    {
        total = 1 + VariableByteInteger.SizeOf(remaining) + remaining;
        var writer = new MqttSpanWriter(output.GetSpan(total)[..total]);
        writer.WriteByte((byte)(((byte)type << 4) | flags));
        writer.WriteVariableByteInteger(remaining);
        return writer;
    }
}
