using System.Buffers;
using System.Text;
using Nexwatt.Protocols.Mqtt.Formatter;
using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt.Tests.Formatter;

/// <summary>
/// Golden bytes per packet kind, laid out by hand from the MQTT 3.1.1 and 5.0 OASIS specifications (section
/// numbers on each case); every vector is checked both ways: encode → bytes and bytes → decode → same packet.
/// </summary>
public sealed class PacketVectorTests
{
    private static readonly MqttWill Will = new("w", Encoding.ASCII.GetBytes("bye"), MqttQualityOfService.AtLeastOnce, Retain: true);

    private static readonly VectorTable All = new()
    {
        // 3.1.1 section 3.1: "MQTT", level 4, flags EC = user, password, will retain, will QoS 1, will; keep alive 30;
        // payload: client id, will topic, will message, user name, password (3.1.3).
        { "CONNECT 3.1.1 with will, user, password", MqttProtocolVersion.V311,
            new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V311, ClientId = "client", KeepAliveSeconds = 30, Will = Will, Username = "u", Password = "p"u8.ToArray() },
            "10 20 00 04 4D 51 54 54 04 EC 00 1E 00 06 63 6C 69 65 6E 74 00 01 77 00 03 62 79 65 00 01 75 00 01 70" },
        // 3.1.1 figure 3.6 example flags CE (user, password, will QoS 1, will, clean session), keep alive 10.
        { "CONNECT 3.1.1 spec example header", MqttProtocolVersion.V311,
            new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V311, ClientId = "", CleanStart = true, KeepAliveSeconds = 10,
                Will = new MqttWill("w", Array.Empty<byte>(), MqttQualityOfService.AtLeastOnce, false), Username = "u", Password = Array.Empty<byte>() },
            "10 16 00 04 4D 51 54 54 04 CE 00 0A 00 00 00 01 77 00 00 00 01 75 00 00" },
        // 5.0 section 3.1.2.11: properties after keep alive (Session Expiry Interval 0x11 = 3600); will properties (empty) before the will topic (3.1.3.2).
        { "CONNECT 5.0 with will and session expiry", MqttProtocolVersion.V500,
            new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V500, ClientId = "client", KeepAliveSeconds = 30, Will = Will, Username = "u", Password = "p"u8.ToArray(), SessionExpirySeconds = 3600 },
            "10 27 00 04 4D 51 54 54 05 EC 00 1E 05 11 00 00 0E 10 00 06 63 6C 69 65 6E 74 00 00 01 77 00 03 62 79 65 00 01 75 00 01 70" },
        // 5.0 with Receive Maximum 0x21 and Maximum Packet Size 0x27, clean start.
        { "CONNECT 5.0 with flow control properties", MqttProtocolVersion.V500,
            new ConnectPacket { ProtocolVersion = MqttProtocolVersion.V500, ClientId = "c", CleanStart = true, KeepAliveSeconds = 60, ReceiveMaximum = 20, MaximumPacketSize = 1_048_576 },
            "10 16 00 04 4D 51 54 54 05 02 00 3C 08 21 00 14 27 00 10 00 00 00 01 63" },
        // 3.1.1 section 3.2: acknowledge flags (session present), return code.
        { "CONNACK 3.1.1 session present", MqttProtocolVersion.V311, new ConnAckPacket { SessionPresent = true }, "20 02 01 00" },
        { "CONNACK 3.1.1 bad user name or password", MqttProtocolVersion.V311, new ConnAckPacket { ReasonCode = 4 }, "20 02 00 04" },
        // 5.0 section 3.2.2.3: Receive Maximum 20, Maximum QoS 1, Server Keep Alive 15.
        { "CONNACK 5.0 with properties", MqttProtocolVersion.V500, new ConnAckPacket { ReceiveMaximum = 20, MaximumQoS = 1, ServerKeepAliveSeconds = 15 },
            "20 0B 00 00 08 21 00 14 13 00 0F 24 01" },
        { "CONNACK 5.0 not authorized", MqttProtocolVersion.V500, new ConnAckPacket { ReasonCode = 0x87 }, "20 03 00 87 00" },
        // 3.1.1 section 3.3, figure 3.11: topic "a/b", packet id 10.
        { "PUBLISH QoS 0", MqttProtocolVersion.V311, new PublishPacket("a/b", "hi"u8.ToArray(), MqttQualityOfService.AtMostOnce, false, false, 0), "30 07 00 03 61 2F 62 68 69" },
        { "PUBLISH QoS 1 retained", MqttProtocolVersion.V311, new PublishPacket("a/b", "hi"u8.ToArray(), MqttQualityOfService.AtLeastOnce, true, false, 10), "33 09 00 03 61 2F 62 00 0A 68 69" },
        { "PUBLISH QoS 1 duplicate", MqttProtocolVersion.V311, new PublishPacket("a/b", "hi"u8.ToArray(), MqttQualityOfService.AtLeastOnce, false, true, 10), "3A 09 00 03 61 2F 62 00 0A 68 69" },
        // 5.0 section 3.3.2.3: property length 0 after the packet id.
        { "PUBLISH 5.0 QoS 0", MqttProtocolVersion.V500, new PublishPacket("a/b", "hi"u8.ToArray(), MqttQualityOfService.AtMostOnce, false, false, 0), "30 08 00 03 61 2F 62 00 68 69" },
        { "PUBLISH 5.0 QoS 1", MqttProtocolVersion.V500, new PublishPacket("a/b", "hi"u8.ToArray(), MqttQualityOfService.AtLeastOnce, false, false, 10), "32 0A 00 03 61 2F 62 00 0A 00 68 69" },
        // 3.1.1 section 3.4: packet id only.
        { "PUBACK 3.1.1", MqttProtocolVersion.V311, new PubAckPacket(10), "40 02 00 0A" },
        // 5.0 section 3.4.2.1: reason code and properties omitted for success without properties.
        { "PUBACK 5.0 success", MqttProtocolVersion.V500, new PubAckPacket(10), "40 02 00 0A" },
        { "PUBACK 5.0 no matching subscribers", MqttProtocolVersion.V500, new PubAckPacket(10, 0x10), "40 03 00 0A 10" },
        { "PUBACK 5.0 not authorized with reason string", MqttProtocolVersion.V500, new PubAckPacket(10, 0x87, "no"), "40 09 00 0A 87 05 1F 00 02 6E 6F" },
        // 3.1.1 section 3.8, fixed header flags 0010; requested QoS 1.
        { "SUBSCRIBE 3.1.1", MqttProtocolVersion.V311, new SubscribePacket(1, [new("a/#", MqttQualityOfService.AtLeastOnce)]), "82 08 00 01 00 03 61 2F 23 01" },
        { "SUBSCRIBE 5.0", MqttProtocolVersion.V500, new SubscribePacket(1, [new("a/#", MqttQualityOfService.AtLeastOnce)]), "82 09 00 01 00 00 03 61 2F 23 01" },
        { "SUBSCRIBE two filters", MqttProtocolVersion.V311, new SubscribePacket(2, [new("a", MqttQualityOfService.AtMostOnce), new("+/b", MqttQualityOfService.AtLeastOnce)]), "82 0C 00 02 00 01 61 00 00 03 2B 2F 62 01" },
        // 3.1.1 section 3.9: one return code per filter; 0x80 = failure.
        { "SUBACK 3.1.1 granted QoS 1", MqttProtocolVersion.V311, new SubAckPacket(1, [0x01]), "90 03 00 01 01" },
        { "SUBACK 3.1.1 failure", MqttProtocolVersion.V311, new SubAckPacket(1, [0x80]), "90 03 00 01 80" },
        { "SUBACK 5.0 granted QoS 0 and 1", MqttProtocolVersion.V500, new SubAckPacket(1, [0x00, 0x01]), "90 05 00 01 00 00 01" },
        { "UNSUBSCRIBE 3.1.1", MqttProtocolVersion.V311, new UnsubscribePacket(3, ["a/#"]), "A2 07 00 03 00 03 61 2F 23" },
        { "UNSUBACK 3.1.1", MqttProtocolVersion.V311, new UnsubAckPacket(3, []), "B0 02 00 03" },
        { "UNSUBACK 5.0", MqttProtocolVersion.V500, new UnsubAckPacket(3, [0x00]), "B0 04 00 03 00 00" },
        // Sections 3.12, 3.13.
        { "PINGREQ", MqttProtocolVersion.V311, PingReqPacket.Instance, "C0 00" },
        { "PINGRESP", MqttProtocolVersion.V500, PingRespPacket.Instance, "D0 00" },
        // 3.1.1 section 3.14; 5.0 section 3.14.2.1: normal disconnection omits the reason code.
        { "DISCONNECT 3.1.1", MqttProtocolVersion.V311, new DisconnectPacket(), "E0 00" },
        { "DISCONNECT 5.0 normal", MqttProtocolVersion.V500, new DisconnectPacket(), "E0 00" },
        { "DISCONNECT 5.0 with will message", MqttProtocolVersion.V500, new DisconnectPacket(0x04), "E0 01 04" },
        { "DISCONNECT 5.0 server shutting down with reason string", MqttProtocolVersion.V500, new DisconnectPacket(0x8B, "bye"), "E0 08 8B 06 1F 00 03 62 79 65" },
    };

    public static TheoryData<string> Vectors() => new(All.Keys);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Encodes_to_the_golden_bytes(string name)
    {
        var (version, packet, hex) = All[name];
        Assert.Equal(Hex.Of(Hex.Bytes(hex)), Hex.Of(MqttPacketEncoder.ToArray(packet, version)));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Decodes_the_golden_bytes(string name)
    {
        var (version, packet, hex) = All[name];
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(hex));
        Assert.True(MqttFrameReader.TryRead(ref buffer, version, 1 << 20, out var decoded));
        Assert.True(buffer.IsEmpty);
        Assert.Equal(packet, decoded);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Every_prefix_is_incomplete_not_malformed(string name)
    {
        var (version, _, hex) = All[name];
        var bytes = Hex.Bytes(hex);
        for (var length = 0; length < bytes.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, length);
            Assert.False(MqttFrameReader.TryRead(ref buffer, version, 1 << 20, out _));
        }
    }

    [Fact]
    public void A_packet_split_across_segments_decodes()
    {
        var bytes = Hex.Bytes("32 0A 00 03 61 2F 62 00 0A 00 68 69");
        var buffer = Segments.Split(bytes, 3, 7);
        Assert.True(MqttFrameReader.TryRead(ref buffer, MqttProtocolVersion.V500, 1 << 20, out var packet));
        Assert.Equal(new PublishPacket("a/b", "hi"u8.ToArray(), MqttQualityOfService.AtLeastOnce, false, false, 10), packet);
    }

    [Fact]
    public void Several_packets_in_one_buffer_decode_in_order()
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes("40 02 00 01 D0 00 40 02 00 02 40"));
        var packets = new List<MqttPacket>();
        while (MqttFrameReader.TryRead(ref buffer, MqttProtocolVersion.V311, 1 << 20, out var packet)) packets.Add(packet);
        Assert.Equal([new PubAckPacket(1), PingRespPacket.Instance, new PubAckPacket(2)], packets);
        Assert.Equal(1, buffer.Length);
    }
}

internal sealed class VectorTable : Dictionary<string, (MqttProtocolVersion Version, MqttPacket Packet, string Hex)>
{
    public void Add(string name, MqttProtocolVersion version, MqttPacket packet, string hex) => Add(name, (version, packet, hex));
}

internal static class Segments
{
    /// <summary>Splits bytes into a multi-segment sequence at the given offsets.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        var bounds = cuts.Prepend(0).Append(bytes.Length).ToArray();
        Segment? first = null, last = null;
        for (var i = 0; i < bounds.Length - 1; i++)
        {
            var memory = bytes.AsMemory(bounds[i], bounds[i + 1] - bounds[i]);
            last = last is null ? first = new Segment(memory, 0) : last.Append(memory);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
