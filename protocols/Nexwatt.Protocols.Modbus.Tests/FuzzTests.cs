using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using Nexwatt.Protocols.Modbus.Pdu;
using Nexwatt.Protocols.Modbus.Rtu;
using Nexwatt.Protocols.Modbus.Server;
using Nexwatt.Protocols.Modbus.Tcp;

namespace Nexwatt.Protocols.Modbus.Tests;

/// <summary>
/// Property tests (FsCheck 3.6): random and mutated bytes make every decoder either succeed or throw
/// <see cref="ModbusProtocolException"/> / <see cref="ModbusRemoteException"/> (never anything else, never an
/// over-allocation: every decoder writes into caller buffers sized by the request), and encode → decode round-trips.
/// </summary>
public sealed class FuzzTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(3000);

    private static readonly Gen<byte[]> AnyBytes = Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));

    /// <summary>Valid frames with a few bytes flipped, truncated or extended: close to the real thing.</summary>
    private static Gen<byte[]> Mutated(params byte[][] seeds) =>
        from seed in Gen.Elements(seeds)
        from flips in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, seed.Length - 1), Gen.Choose(0, 255)), 3)
        from cut in Gen.Choose(0, seed.Length + 4)
        select Mutate(seed, flips, cut);

    private static byte[] Mutate(byte[] seed, (int Index, int Value)[] flips, int length)
    {
        var copy = new byte[length];
        Array.Copy(seed, copy, Math.Min(length, seed.Length));
        foreach (var (index, value) in flips) if (index < copy.Length) copy[index] = (byte)value;
        return copy;
    }

    private static bool OnlyModbusErrors(Action action)
    {
        try { action(); }
        catch (ModbusProtocolException) { }
        catch (ModbusRemoteException) { }
        return true;
    }

    private static readonly byte[][] TcpSeeds =
    [
        Hex.Bytes("0001 0000 0006 11 03 006B 0003"),
        Hex.Bytes("0002 0000 0009 01 03 06 022B 0000 0064"),
        Hex.Bytes("0003 0000 0003 01 83 02"),
    ];

    [Fact]
    public void MbapTryRead_OnlyEverThrowsProtocolErrors()
    {
        Check.One(Quick, Prop.ForAll(Arb.From(Gen.OneOf(AnyBytes, Mutated(TcpSeeds))), bytes => OnlyModbusErrors(() =>
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            while (MbapCodec.TryRead(ref buffer, out var frame))
                if (frame.Pdu.Length is < 1 or > ModbusLimits.MaxPduLength) throw new InvalidOperationException("PDU outside the limits.");
        })));
    }

    [Fact]
    public void RtuTryRead_OnlyEverThrowsProtocolErrors()
    {
        var seeds = new[] { "11 03 006B 0003", "01 03 06 022B 0000 0064", "01 10 0001 0002 04 000A 0102", "01 83 02", "01 17 0003 0006 000E 0003 06 00FF 00FF 00FF" }
            .Select(pdu =>
            {
                var body = Hex.Bytes(pdu);
                var adu = new byte[body.Length + 2];
                RtuCodec.Write(adu, body[0], body[1..]);
                return adu;
            }).ToArray();
        Check.One(Quick, Prop.ForAll(Arb.From(Gen.OneOf(AnyBytes, Mutated(seeds))), bytes => OnlyModbusErrors(() =>
        {
            var requests = new ReadOnlySequence<byte>(bytes);
            while (RtuCodec.TryReadRequest(ref requests, out _)) { }
            var responses = new ReadOnlySequence<byte>(bytes);
            while (RtuCodec.TryReadResponse(ref responses, out _)) { }
        })));
    }

    [Fact]
    public void ResponseDecoders_OnlyEverThrowModbusErrors()
    {
        var seeds = new[] { "03 06 022B 0000 0064", "01 03 CD 6B 05", "10 0001 0002", "83 02", "17 0C 00FE 0ACD 0001 0003 000D 00FF" }.Select(Hex.Bytes).ToArray();
        var gen = from bytes in Gen.OneOf(AnyBytes, Mutated(seeds))
                  from function in Gen.Elements<byte>(1, 2, 3, 4, 5, 6, 15, 16, 23)
                  from count in Gen.Choose(1, 125)
                  select (bytes, function, count);
        Check.One(Quick, Prop.ForAll(Arb.From(gen), input => OnlyModbusErrors(() =>
        {
            var (bytes, function, count) = input;
            switch (function)
            {
                case 1 or 2: ModbusResponseDecoder.ReadBits(bytes, function, new bool[count * 8]); break;
                case 5 or 6 or 15 or 16: ModbusResponseDecoder.WriteEcho(bytes, function, 1, (ushort)count); break;
                default: ModbusResponseDecoder.ReadRegisters(bytes, function, new ushort[count]); break;
            }
        })));
    }

    [Fact]
    public void ServerHandler_AnswersAnyPdu_WithAReplyNeverAnException()
    {
        var seeds = new[] { "03 006B 0003", "0F 0013 000A 02 CD 01", "10 0001 0002 04 000A 0102", "17 0003 0006 000E 0003 06 00FF 00FF 00FF", "05 00AC FF00" }
            .Select(Hex.Bytes).ToArray();
        var handler = new ModbusDataModelHandler(new ModbusRegisterBank().AddUnit(1));
        Check.One(Quick, Prop.ForAll(Arb.From(Gen.OneOf(AnyBytes.Where(b => b.Length is > 0 and <= 253), Mutated(seeds).Where(b => b.Length > 0))), pdu =>
        {
            var reply = handler.Handle(1, pdu);
            return reply.Kind == ModbusServerReplyKind.Exception
                || (reply.Kind == ModbusServerReplyKind.Respond && reply.Pdu.Length is >= 2 and <= ModbusLimits.MaxPduLength && reply.Pdu.Span[0] == pdu[0]);
        }));
    }

    [Fact]
    public void RegisterWrites_RoundTripThroughEncoderDecoderAndFrames()
    {
        var gen = from address in Gen.Choose(0, 65535 - 123)
                  from values in Gen.Choose(1, 123).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 65535).Select(v => (ushort)v), n))
                  from tid in Gen.Choose(0, 65535)
                  from unit in Gen.Choose(0, 255)
                  select (address: (ushort)address, values, tid: (ushort)tid, unit: (byte)unit);
        Check.One(Quick, Prop.ForAll(Arb.From(gen), input =>
        {
            var pdu = new byte[ModbusLimits.MaxPduLength];
            var length = ModbusRequestEncoder.WriteMultipleRegisters(pdu, input.address, input.values);
            if (ModbusRequestDecoder.Decode(pdu.AsSpan(0, length), out var request) is not null) return false;
            var decoded = new ushort[request.Quantity];
            for (var i = 0; i < decoded.Length; i++) decoded[i] = (ushort)(request.Data[i * 2] << 8 | request.Data[i * 2 + 1]);

            var adu = new byte[ModbusLimits.MaxTcpAduLength];
            var aduLength = MbapCodec.Write(adu, input.tid, input.unit, pdu.AsSpan(0, length));
            var buffer = new ReadOnlySequence<byte>(adu, 0, aduLength);
            var framed = MbapCodec.TryRead(ref buffer, out var frame) && buffer.IsEmpty
                && frame.TransactionId == input.tid && frame.UnitId == input.unit && frame.Pdu.ToArray().AsSpan().SequenceEqual(pdu.AsSpan(0, length));

            var rtu = new byte[ModbusLimits.MaxRtuAduLength];
            var rtuLength = RtuCodec.Write(rtu, input.unit, pdu.AsSpan(0, length));
            var rtuBuffer = new ReadOnlySequence<byte>(rtu, 0, rtuLength);
            var rtuFramed = RtuCodec.TryReadRequest(ref rtuBuffer, out var rtuFrame) && rtuFrame.Address == input.unit && rtuBuffer.IsEmpty;

            return request.Address == input.address && decoded.AsSpan().SequenceEqual(input.values) && framed && rtuFramed;
        }));
    }

    [Fact]
    public void ReadResponses_RoundTripThroughServerEncoderAndClientDecoder()
    {
        var gen = from bits in Gen.Choose(1, 2000).SelectMany(n => Gen.ArrayOf(Gen.Elements(true, false), n))
                  from registers in Gen.Choose(1, 125).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 65535).Select(v => (ushort)v), n))
                  select (bits, registers);
        Check.One(Quick, Prop.ForAll(Arb.From(gen), input =>
        {
            var pdu = new byte[ModbusLimits.MaxPduLength];
            var length = ModbusResponseEncoder.WriteBits(pdu, 1, input.bits);
            var bits = new bool[input.bits.Length];
            ModbusResponseDecoder.ReadBits(pdu.AsSpan(0, length), 1, bits);
            length = ModbusResponseEncoder.WriteRegisters(pdu, 4, input.registers);
            var registers = new ushort[input.registers.Length];
            ModbusResponseDecoder.ReadRegisters(pdu.AsSpan(0, length), 4, registers);
            return bits.AsSpan().SequenceEqual(input.bits) && registers.AsSpan().SequenceEqual(input.registers);
        }));
    }
}
