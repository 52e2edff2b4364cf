using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using Nexwatt.Protocols.Mqtt.Formatter;
using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt.Tests.Fuzz;

/// <summary>
/// Property tests of every decoder: random and mutated packets never throw anything but
/// <see cref="MqttProtocolException"/> and never allocate more than a small multiple of their input;
/// every packet the encoder writes decodes back to itself.
/// </summary>
public sealed class DecoderFuzzTests
{
    private static readonly Config Many = Config.QuickThrowOnFailure.WithMaxTest(2000);
    private static readonly MqttProtocolVersion[] Versions = [MqttProtocolVersion.V311, MqttProtocolVersion.V500];
    private const int MaxPacketSize = 4096;

    private static readonly Gen<string> Topics = Gen.Elements("a", "a/b", "edge/edge-1/m", "x/ü/€", "$SYS/x", "t/" + new string('k', 300));
    private static readonly Gen<string> Filters = Gen.Elements("a/#", "+/b", "#", "edge/+/cmd/#", "a");
    private static readonly Gen<byte[]> Payloads = Gen.Choose(0, 600).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));
    private static readonly Gen<ushort> PacketIds = Gen.Choose(1, 65535).Select(i => (ushort)i);
    private static readonly Gen<MqttQualityOfService> QoS = Gen.Elements(MqttQualityOfService.AtMostOnce, MqttQualityOfService.AtLeastOnce);
    private static readonly Gen<string?> OptionalText = Gen.Elements<string?>(null, "", "why", "ünïcode");

    /// <summary>Valid packets of every kind this library encodes, for the given version.</summary>
    private static Gen<MqttPacket> Packets(MqttProtocolVersion version)
    {
        var v5 = version == MqttProtocolVersion.V500;
        var publish =
            from topic in Topics
            from payload in Payloads
            from qos in QoS
            from retain in Gen.Elements(true, false)
            from dup in Gen.Elements(true, false)
            from id in PacketIds
            select (MqttPacket)new PublishPacket(topic, payload, qos, retain, qos != MqttQualityOfService.AtMostOnce && dup, qos == MqttQualityOfService.AtMostOnce ? (ushort)0 : id);
        var pubAck =
            from id in PacketIds
            from code in v5 ? Gen.Elements<byte>(0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99) : Gen.Constant<byte>(0)
            from reason in v5 ? OptionalText : Gen.Constant<string?>(null)
            select (MqttPacket)new PubAckPacket(id, code, reason);
        var connect =
            from clientId in Gen.Elements("", "edge-1", "ü")
            from clean in Gen.Elements(true, false)
            from keepAlive in Gen.Choose(0, 65535)
            from user in Gen.Elements<string?>(null, "u", "user")
            from password in Gen.Elements<byte[]?>(null, [], [1, 2, 3])
            from hasWill in Gen.Elements(true, false)
            from willTopic in Topics
            from willPayload in Payloads
            from willQos in QoS
            from willRetain in Gen.Elements(true, false)
            from expiry in v5 ? Gen.Elements(0u, 3600u, uint.MaxValue) : Gen.Constant(0u)
            from receiveMaximum in v5 ? Gen.Elements<ushort?>(null, 1, 100, 65535) : Gen.Constant<ushort?>(null)
            from maxPacket in v5 ? Gen.Elements<uint?>(null, 1, 1 << 20) : Gen.Constant<uint?>(null)
            select (MqttPacket)new ConnectPacket
            {
                ProtocolVersion = version,
                ClientId = clientId,
                CleanStart = clean,
                KeepAliveSeconds = (ushort)keepAlive,
                Username = user ?? (password is not null && !v5 ? "u" : null),
                Password = password is null ? null : (ReadOnlyMemory<byte>?)password,
                Will = hasWill ? new MqttWill(willTopic, willPayload, willQos, willRetain) : null,
                SessionExpirySeconds = expiry,
                ReceiveMaximum = receiveMaximum,
                MaximumPacketSize = maxPacket,
            };
        var connAck =
            from present in Gen.Elements(true, false)
            from code in v5 ? Gen.Elements<byte>(0, 0x80, 0x86, 0x87, 0x88, 0x97) : Gen.Choose(0, 5).Select(c => (byte)c)
            from receiveMaximum in v5 ? Gen.Elements<ushort?>(null, 1, 20) : Gen.Constant<ushort?>(null)
            from keepAlive in v5 ? Gen.Elements<ushort?>(null, 0, 15) : Gen.Constant<ushort?>(null)
            from assigned in v5 ? OptionalText : Gen.Constant<string?>(null)
            from maxQos in v5 ? Gen.Elements<byte?>(null, 0, 1) : Gen.Constant<byte?>(null)
            from retain in v5 ? Gen.Elements<bool?>(null, true, false) : Gen.Constant<bool?>(null)
            select (MqttPacket)new ConnAckPacket
            {
                SessionPresent = present, ReasonCode = code, ReceiveMaximum = receiveMaximum, ServerKeepAliveSeconds = keepAlive,
                AssignedClientId = assigned, MaximumQoS = maxQos, RetainAvailable = retain,
            };
        var subscribe =
            from id in PacketIds
            from count in Gen.Choose(1, 4)
            from filters in Gen.ArrayOf(Filters, count)
            from qos in QoS
            select (MqttPacket)new SubscribePacket(id, filters.Select(f => new MqttSubscription(f, qos)).ToList());
        var subAck =
            from id in PacketIds
            from count in Gen.Choose(1, 4)
            from codes in Gen.ArrayOf(v5 ? Gen.Elements<byte>(0, 1, 2, 0x80, 0x87, 0x8F, 0x97) : Gen.Elements<byte>(0, 1, 2, 0x80), count)
            from reason in v5 ? OptionalText : Gen.Constant<string?>(null)
            select (MqttPacket)new SubAckPacket(id, codes, reason);
        var unsubscribe = from id in PacketIds from filter in Filters select (MqttPacket)new UnsubscribePacket(id, [filter]);
        var unsubAck = from id in PacketIds select (MqttPacket)new UnsubAckPacket(id, v5 ? [0x00] : []);
        var disconnect =
            from code in v5 ? Gen.Elements<byte>(0, 0x04, 0x80, 0x8B, 0x8E) : Gen.Constant<byte>(0)
            from reason in v5 ? OptionalText : Gen.Constant<string?>(null)
            from expiry in v5 ? Gen.Elements<uint?>(null, 0, 60) : Gen.Constant<uint?>(null)
            select (MqttPacket)new DisconnectPacket(code, reason, expiry);
        return Gen.OneOf(publish, pubAck, connect, connAck, subscribe, subAck, unsubscribe, unsubAck, disconnect,
            Gen.Constant<MqttPacket>(PingReqPacket.Instance), Gen.Constant<MqttPacket>(PingRespPacket.Instance));
    }

    public static TheoryData<MqttProtocolVersion> AllVersions() => new(Versions);

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void Every_encoded_packet_decodes_back_to_itself(MqttProtocolVersion version)
    {
        var runs = 0;
        var kinds = new HashSet<MqttPacketType>();
        Prop.ForAll(Packets(version).ToArbitrary(), packet =>
        {
            runs++;
            kinds.Add(packet.Type);
            var bytes = MqttPacketEncoder.ToArray(packet, version);
            var buffer = new ReadOnlySequence<byte>(bytes);
            Assert.True(MqttFrameReader.TryRead(ref buffer, version, int.MaxValue, out var decoded));
            Assert.True(buffer.IsEmpty);
            Assert.Equal(packet, decoded);
            // Split anywhere: the same packet from a multi-segment buffer.
            var cut = bytes.Length / 2;
            var split = Formatter.Segments.Split(bytes, cut);
            Assert.True(MqttFrameReader.TryRead(ref split, version, int.MaxValue, out var again));
            Assert.Equal(packet, again);
        }).Check(Many);
        Assert.Equal(2000, runs);
        Assert.Equal(11, kinds.Count);
    }

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void Random_bytes_are_incomplete_valid_or_a_protocol_error(MqttProtocolVersion version)
    {
        var bytes = Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));
        Prop.ForAll(bytes.ToArbitrary(), input => DecodeAll(input, version)).Check(Many);
    }

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void Random_bodies_behind_every_fixed_header_are_valid_or_a_protocol_error(MqttProtocolVersion version)
    {
        var gen =
            from header in Gen.Choose(0, 255)
            from length in Gen.Choose(0, 200)
            from body in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length)
            select (Header: (byte)header, Body: body);
        Prop.ForAll(gen.ToArbitrary(), input =>
        {
            try
            {
                MqttPacketDecoder.Decode(input.Header, input.Body, version);
            }
            catch (MqttProtocolException)
            {
            }
        }).Check(Many);
    }

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void Mutated_packets_are_valid_or_a_protocol_error_and_never_over_allocate(MqttProtocolVersion version)
    {
        var gen =
            from packet in Packets(version)
            from mutations in Gen.Choose(1, 4)
            from positions in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), mutations)
            from values in Gen.ArrayOf(Gen.Choose(0, 255), mutations)
            from kind in Gen.Choose(0, 3)
            select (Packet: packet, Positions: positions, Values: values, Kind: kind);
        Prop.ForAll(gen.ToArbitrary(), input =>
        {
            var bytes = MqttPacketEncoder.ToArray(input.Packet, version).ToList();
            for (var i = 0; i < input.Positions.Length; i++)
            {
                var at = input.Positions[i] % (bytes.Count + 1);
                switch (input.Kind)
                {
                    case 0 when at < bytes.Count: bytes[at] = (byte)input.Values[i]; break;            // flip a byte
                    case 1: bytes.Insert(at, (byte)input.Values[i]); break;                           // insert
                    case 2 when at < bytes.Count: bytes.RemoveAt(at); break;                          // delete
                    case 3 when bytes.Count > 1: bytes[1] = (byte)input.Values[i]; break;             // remaining length
                }
            }
            DecodeAll(bytes.ToArray(), version);
        }).Check(Many);
    }

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void A_declared_length_over_the_limit_is_refused_before_any_body_arrives(MqttProtocolVersion version)
    {
        var gen = from type in Gen.Choose(1, 15) from declared in Gen.Choose(MaxPacketSize, VariableByteInteger.MaxValue) select (Type: type, Declared: declared);
        Prop.ForAll(gen.ToArbitrary(), input =>
        {
            var header = new byte[5];
            header[0] = (byte)(input.Type << 4);
            var length = 1 + VariableByteInteger.Write(header.AsSpan(1), input.Declared);
            var buffer = new ReadOnlySequence<byte>(header, 0, length);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var error = Assert.Throws<MqttProtocolException>(() => MqttFrameReader.TryRead(ref buffer, version, MaxPacketSize, out _));
            Assert.Contains("exceeds the maximum packet size", error.Message);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 * 1024, "allocation before the limit check");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    /// <summary>Decodes packets until the input is used up or incomplete; only protocol errors may escape, allocation stays bounded.</summary>
    private static void DecodeAll(byte[] input, MqttProtocolVersion version)
    {
        var buffer = new ReadOnlySequence<byte>(input);
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            while (MqttFrameReader.TryRead(ref buffer, version, MaxPacketSize, out var packet)) _ = packet.Type;
        }
        catch (MqttProtocolException)
        {
        }
        // Strings (UTF-16: 2 bytes per input byte), payload copies and a few small objects per packet.
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= 8L * input.Length + 8192, $"{allocated} bytes allocated for {input.Length} input bytes");
    }
}
