using System.Buffers;
using Nexwatt.Protocols.Modbus.Pdu;
using Nexwatt.Protocols.Modbus.Rtu;
using Nexwatt.Protocols.Modbus.Tcp;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Modbus.Tests;

/// <summary>MBAP framing (Messaging on TCP/IP Implementation Guide V1.0b, 3.1.3) and RTU framing (Serial Line V1.02).</summary>
public sealed class FramingTests
{
    // FC03 request for registers 108-110 of unit 0x11, transaction 1 (the implementation guide's MBAP layout).
    private const string MbapRequest = "0001 0000 0006 11 03 006B 0003";

    [Fact]
    public void Mbap_WritesAndReadsTheExample()
    {
        var adu = new byte[12];
        Assert.Equal(12, MbapCodec.Write(adu, 1, 0x11, Hex.Bytes("03 006B 0003")));
        Assert.Equal(Hex.Of(Hex.Bytes(MbapRequest)), Hex.Of(adu));

        var buffer = new ReadOnlySequence<byte>(adu);
        Assert.True(MbapCodec.TryRead(ref buffer, out var frame));
        Assert.Equal(1, frame.TransactionId);
        Assert.Equal(0x11, frame.UnitId);
        Assert.Equal("03006B0003", Hex.Of(frame.Pdu.ToArray()));
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Mbap_EveryPrefixIsIncomplete_AndEverySplitParses()
    {
        var adu = Hex.Bytes(MbapRequest);
        for (var cut = 0; cut < adu.Length; cut++)
        {
            var prefix = new ReadOnlySequence<byte>(adu, 0, cut);
            Assert.False(MbapCodec.TryRead(ref prefix, out _));
            Assert.Equal(cut, prefix.Length); // nothing consumed
        }
        for (var cut = 1; cut < adu.Length; cut++)
        {
            var split = Segment.Sequence(adu[..cut], adu[cut..]);
            Assert.True(MbapCodec.TryRead(ref split, out var frame));
            Assert.Equal("03006B0003", Hex.Of(frame.Pdu.ToArray()));
        }
    }

    [Fact]
    public void Mbap_ReadsPipelinedFramesFromOneBuffer()
    {
        var two = Hex.Bytes(MbapRequest + "0002 0000 0006 11 03 0000 0001" + "0003 00");
        var buffer = new ReadOnlySequence<byte>(two);
        Assert.True(MbapCodec.TryRead(ref buffer, out var first));
        Assert.True(MbapCodec.TryRead(ref buffer, out var second));
        Assert.False(MbapCodec.TryRead(ref buffer, out _));
        Assert.Equal((1, 2), (first.TransactionId, second.TransactionId));
        Assert.Equal(3, buffer.Length);
    }

    [Theory]
    [InlineData("0001 0001 0006 11")]  // protocol id 1
    [InlineData("0001 0000 0001 11")]  // length 1: no PDU
    [InlineData("0001 0000 0000 11")]
    [InlineData("0001 0000 00FF 11")]  // 255: PDU of 254 bytes
    [InlineData("0001 0000 FFFF 11")]
    public void Mbap_RejectsBadHeaders_BeforeTheBodyArrives(string header)
    {
        var buffer = new ReadOnlySequence<byte>(Hex.Bytes(header));
        Assert.Throws<ModbusProtocolException>(() => MbapCodec.TryRead(ref buffer, out _));
    }

    [Theory]
    [InlineData("0207", 0x1241)]                  // Serial Line V1.02 appendix B example
    [InlineData("1103006B0003", 0x8776)]          // FC03 to slave 0x11: frame ends 76 87
    [InlineData("010300000001", 0x0A84)]
    public void Crc16_MatchesSpecExamples(string data, int crc)
        => Assert.Equal(crc, ModbusCrc16.Compute(Hex.Bytes(data)));

    [Fact]
    public void Rtu_WritesLowCrcByteFirst_AndReadsBack()
    {
        var adu = new byte[8];
        Assert.Equal(8, RtuCodec.Write(adu, 0x11, Hex.Bytes("03 006B 0003")));
        Assert.Equal("1103006B00037687", Hex.Of(adu));
        var buffer = new ReadOnlySequence<byte>(adu);
        Assert.True(RtuCodec.TryReadRequest(ref buffer, out var frame));
        Assert.Equal(0x11, frame.Address);
        Assert.Equal("03006B0003", Hex.Of(frame.Pdu.ToArray()));
    }

    [Theory]
    [InlineData("03 06 022B 0000 0064")]
    [InlineData("83 02")]
    [InlineData("10 0001 0002")]
    [InlineData("01 03 CD 6B 05")]
    [InlineData("17 0C 00FE 0ACD 0001 0003 000D 00FF")]
    public void Rtu_ResponsesParseWholeAndNotFromAnyPrefix(string pdu)
    {
        var body = Hex.Bytes(pdu);
        var adu = new byte[body.Length + 3];
        RtuCodec.Write(adu, 1, body);
        for (var cut = 0; cut < adu.Length; cut++)
        {
            var prefix = new ReadOnlySequence<byte>(adu, 0, cut);
            Assert.False(RtuCodec.TryReadResponse(ref prefix, out _));
        }
        var split = Segment.Sequence(adu[..2], adu[2..]);
        Assert.True(RtuCodec.TryReadResponse(ref split, out var frame));
        Assert.Equal(Hex.Of(body), Hex.Of(frame.Pdu.ToArray()));
    }

    [Fact]
    public void Rtu_BadCrcAndUnknownFunctionAreProtocolErrors()
    {
        var bad = new ReadOnlySequence<byte>(Hex.Bytes("1103006B00037688"));
        Assert.Throws<ModbusProtocolException>(() => RtuCodec.TryReadRequest(ref bad, out _));
        var unknown = new ReadOnlySequence<byte>(Hex.Bytes("1141"));
        Assert.Throws<ModbusProtocolException>(() => RtuCodec.TryReadResponse(ref unknown, out _));
        var tooLong = new ReadOnlySequence<byte>(Hex.Bytes("11 03 FC"));
        Assert.Throws<ModbusProtocolException>(() => RtuCodec.TryReadResponse(ref tooLong, out _));
    }

    [Theory]
    [InlineData(9600, 4010)]     // 3.5 × 11 bits / 9600 baud = 4.0104 ms
    [InlineData(19200, 2005)]
    [InlineData(38400, 1750)]    // fixed above 19200 baud
    [InlineData(115200, 1750)]
    public void Rtu_SilenceComesFromTheBaudRate(int baud, int microseconds)
        => Assert.Equal(microseconds, (int)RtuTiming.InterFrameDelay(baud).TotalMicroseconds);

    [Fact]
    public async Task RtuFramer_CarriesFramesOverAnyStream_AndKeepsTheSilence()
    {
        var (masterSide, slaveSide) = DuplexPipe.Create();
        var clock = new FakeTimeProvider();
        await using var master = new ModbusRtuFramer(masterSide, 9600, clock);
        await using var slave = new ModbusRtuFramer(slaveSide, 9600, clock);

        await master.WriteFrameAsync(0x11, Hex.Bytes("03 006B 0003"));
        var request = await slave.ReadRequestAsync();
        Assert.Equal(0x11, request.Address);
        Assert.Equal("03006B0003", Hex.Of(request.Pdu));

        // The slave just heard traffic: its answer waits for t3.5 of silence on the clock.
        var answer = slave.WriteFrameAsync(0x11, Hex.Bytes("03 06 022B 0000 0064")).AsTask();
        Assert.False(answer.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(5));
        await answer;
        var response = await master.ReadResponseAsync();
        Assert.Equal("0306022B00000064", Hex.Of(response.Pdu));
    }
}
