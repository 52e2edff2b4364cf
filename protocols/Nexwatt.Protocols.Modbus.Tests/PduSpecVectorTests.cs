using Nexwatt.Protocols.Modbus.Pdu;
using Nexwatt.Protocols.Modbus.Server;

namespace Nexwatt.Protocols.Modbus.Tests;

/// <summary>
/// The request/response examples of MODBUS Application Protocol Specification V1.1b3, section 6 (one per function
/// code) and section 7 (exception), checked both ways: our client encoder and decoder, and our server handler
/// answering the spec's request with the spec's response bytes.
/// </summary>
public sealed class PduSpecVectorTests
{
    private static ModbusServerReply Answer(ModbusRegisterBank bank, string request)
        => new ModbusDataModelHandler(bank).Handle(1, Hex.Bytes(request));

    private static void AssertResponds(ModbusServerReply reply, string expected)
    {
        Assert.Equal(ModbusServerReplyKind.Respond, reply.Kind);
        Assert.Equal(Hex.Of(Hex.Bytes(expected)), Hex.Of(reply.Pdu.Span));
    }

    [Fact] // 6.1: read coils 20-38
    public void ReadCoils_0x01()
    {
        var pdu = new byte[5];
        Assert.Equal(5, ModbusRequestEncoder.WriteRead(pdu, ModbusFunctionCode.ReadCoils, 19, 19));
        Assert.Equal("0100130013", Hex.Of(pdu));

        var coils = new bool[19];
        ModbusResponseDecoder.ReadBits(Hex.Bytes("01 03 CD 6B 05"), 0x01, coils);
        // CD = 1100 1101: coils 27..20; 6B = 0110 1011: coils 35..28; 05 = 101: coils 38..36.
        Assert.Equal([true, false, true, true, false, false, true, true], coils[..8]);
        Assert.Equal([true, true, false, true, false, true, true, false], coils[8..16]);
        Assert.Equal([true, false, true], coils[16..]);

        var bank = new ModbusRegisterBank().AddUnit(1);
        bank.SetBits(1, ModbusTable.Coils, 19, coils);
        AssertResponds(Answer(bank, "01 0013 0013"), "01 03 CD 6B 05");
    }

    [Fact] // 6.2: read discrete inputs 197-218
    public void ReadDiscreteInputs_0x02()
    {
        var pdu = new byte[5];
        ModbusRequestEncoder.WriteRead(pdu, ModbusFunctionCode.ReadDiscreteInputs, 196, 22);
        Assert.Equal("0200C40016", Hex.Of(pdu));

        var inputs = new bool[22];
        ModbusResponseDecoder.ReadBits(Hex.Bytes("02 03 AC DB 35"), 0x02, inputs);
        var bank = new ModbusRegisterBank().AddUnit(1);
        bank.SetBits(1, ModbusTable.DiscreteInputs, 196, inputs);
        AssertResponds(Answer(bank, "02 00C4 0016"), "02 03 AC DB 35");
        Assert.False(inputs[0]); // AC = 1010 1100: input 197 is 0, 199 is 1
        Assert.True(inputs[2]);
    }

    [Fact] // 6.3: read holding registers 108-110
    public void ReadHoldingRegisters_0x03()
    {
        var pdu = new byte[5];
        ModbusRequestEncoder.WriteRead(pdu, ModbusFunctionCode.ReadHoldingRegisters, 0x6B, 3);
        Assert.Equal("03006B0003", Hex.Of(pdu));

        var registers = new ushort[3];
        ModbusResponseDecoder.ReadRegisters(Hex.Bytes("03 06 022B 0000 0064"), 0x03, registers);
        Assert.Equal(new ushort[] { 555, 0, 100 }, registers);

        var bank = new ModbusRegisterBank().AddUnit(1);
        bank.SetRegisters(1, ModbusTable.HoldingRegisters, 0x6B, 555, 0, 100);
        AssertResponds(Answer(bank, "03 006B 0003"), "03 06 022B 0000 0064");
    }

    [Fact] // 6.4: read input register 9
    public void ReadInputRegisters_0x04()
    {
        var pdu = new byte[5];
        ModbusRequestEncoder.WriteRead(pdu, ModbusFunctionCode.ReadInputRegisters, 8, 1);
        Assert.Equal("0400080001", Hex.Of(pdu));

        var registers = new ushort[1];
        ModbusResponseDecoder.ReadRegisters(Hex.Bytes("04 02 000A"), 0x04, registers);
        Assert.Equal(10, registers[0]);

        var bank = new ModbusRegisterBank().AddUnit(1);
        bank.SetRegisters(1, ModbusTable.InputRegisters, 8, 10);
        AssertResponds(Answer(bank, "04 0008 0001"), "04 02 000A");
    }

    [Fact] // 6.5: write coil 173 ON
    public void WriteSingleCoil_0x05()
    {
        var pdu = new byte[5];
        ModbusRequestEncoder.WriteSingleCoil(pdu, 172, true);
        Assert.Equal("0500ACFF00", Hex.Of(pdu));
        ModbusResponseDecoder.WriteEcho(Hex.Bytes("05 00AC FF00"), 0x05, 172, 0xFF00);

        var bank = new ModbusRegisterBank().AddUnit(1);
        AssertResponds(Answer(bank, "05 00AC FF00"), "05 00AC FF00");
        Assert.True(bank.GetBits(1, ModbusTable.Coils, 172, 1)[0]);
    }

    [Fact] // 6.6: write register 2 to 0x0003
    public void WriteSingleRegister_0x06()
    {
        var pdu = new byte[5];
        ModbusRequestEncoder.WriteSingleRegister(pdu, 1, 3);
        Assert.Equal("0600010003", Hex.Of(pdu));
        ModbusResponseDecoder.WriteEcho(Hex.Bytes("06 0001 0003"), 0x06, 1, 3);

        var bank = new ModbusRegisterBank().AddUnit(1);
        AssertResponds(Answer(bank, "06 0001 0003"), "06 0001 0003");
        Assert.Equal(3, bank.GetRegisters(1, ModbusTable.HoldingRegisters, 1, 1)[0]);
    }

    [Fact] // 6.11: write 10 coils from coil 20
    public void WriteMultipleCoils_0x0F()
    {
        bool[] values = [true, false, true, true, false, false, true, true, true, false];
        var pdu = new byte[16];
        var length = ModbusRequestEncoder.WriteMultipleCoils(pdu, 19, values);
        Assert.Equal("0F0013000A02CD01", Hex.Of(pdu.AsSpan(0, length)));
        ModbusResponseDecoder.WriteEcho(Hex.Bytes("0F 0013 000A"), 0x0F, 19, 10);

        var bank = new ModbusRegisterBank().AddUnit(1);
        AssertResponds(Answer(bank, "0F 0013 000A 02 CD 01"), "0F 0013 000A");
        Assert.Equal(values, bank.GetBits(1, ModbusTable.Coils, 19, 10));
    }

    [Fact] // 6.12: write registers 2-3 with 000A 0102
    public void WriteMultipleRegisters_0x10()
    {
        var pdu = new byte[16];
        var length = ModbusRequestEncoder.WriteMultipleRegisters(pdu, 1, new ushort[] { 0x000A, 0x0102 });
        Assert.Equal("100001000204000A0102", Hex.Of(pdu.AsSpan(0, length)));
        ModbusResponseDecoder.WriteEcho(Hex.Bytes("10 0001 0002"), 0x10, 1, 2);

        var bank = new ModbusRegisterBank().AddUnit(1);
        AssertResponds(Answer(bank, "10 0001 0002 04 000A 0102"), "10 0001 0002");
        Assert.Equal(new ushort[] { 0x000A, 0x0102 }, bank.GetRegisters(1, ModbusTable.HoldingRegisters, 1, 2));
    }

    [Fact] // 6.17: read 6 registers from 4, write 3 registers from 15
    public void ReadWriteMultipleRegisters_0x17()
    {
        var pdu = new byte[32];
        var length = ModbusRequestEncoder.WriteReadWriteMultipleRegisters(pdu, 3, 6, 14, new ushort[] { 0xFF, 0xFF, 0xFF });
        Assert.Equal(Hex.Of(Hex.Bytes("17 0003 0006 000E 0003 06 00FF 00FF 00FF")), Hex.Of(pdu.AsSpan(0, length)));

        var registers = new ushort[6];
        ModbusResponseDecoder.ReadRegisters(Hex.Bytes("17 0C 00FE 0ACD 0001 0003 000D 00FF"), 0x17, registers);
        Assert.Equal(new ushort[] { 0xFE, 0xACD, 1, 3, 0xD, 0xFF }, registers);

        var bank = new ModbusRegisterBank().AddUnit(1);
        bank.SetRegisters(1, ModbusTable.HoldingRegisters, 3, 0xFE, 0xACD, 1, 3, 0xD, 0xFF);
        AssertResponds(Answer(bank, "17 0003 0006 000E 0003 06 00FF 00FF 00FF"), "17 0C 00FE 0ACD 0001 0003 000D 00FF");
        Assert.Equal(new ushort[] { 0xFF, 0xFF, 0xFF }, bank.GetRegisters(1, ModbusTable.HoldingRegisters, 14, 3));
    }

    [Fact] // 7: read coil 1186 that does not exist → 81 02
    public void ExceptionResponse_IllegalDataAddress()
    {
        var remote = Assert.Throws<ModbusRemoteException>(() => ModbusResponseDecoder.ReadBits(Hex.Bytes("81 02"), 0x01, new bool[1]));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, remote.Code);
        Assert.Equal(0x01, remote.FunctionCode);
        Assert.False(remote.IsTransient);

        var bank = new ModbusRegisterBank().AddUnit(1).SetValidRange(1, ModbusTable.Coils, 0, 1000);
        var reply = Answer(bank, "01 04A1 0001");
        Assert.Equal(ModbusServerReplyKind.Exception, reply.Kind);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, reply.ExceptionCode);
    }

    [Theory]
    [InlineData("03 0000 0000", ModbusExceptionCode.IllegalDataValue)]      // quantity 0
    [InlineData("03 0000 007E", ModbusExceptionCode.IllegalDataValue)]      // 126 registers
    [InlineData("01 0000 07D1", ModbusExceptionCode.IllegalDataValue)]      // 2001 coils
    [InlineData("10 0000 007C F8", ModbusExceptionCode.IllegalDataValue)]   // 124 registers
    [InlineData("10 0000 0002 03 0001 02", ModbusExceptionCode.IllegalDataValue)] // byte count mismatch
    [InlineData("0F 0000 07B1 F7", ModbusExceptionCode.IllegalDataValue)]   // 1969 coils
    [InlineData("05 0000 1234", ModbusExceptionCode.IllegalDataValue)]      // coil value not FF00/0000
    [InlineData("03 FFFF 0002", ModbusExceptionCode.IllegalDataAddress)]    // runs past 65535
    [InlineData("03 0000", ModbusExceptionCode.IllegalDataValue)]           // truncated
    [InlineData("2B 0E 01 00", ModbusExceptionCode.IllegalFunction)]        // unsupported function
    [InlineData("08 0000 A537", ModbusExceptionCode.IllegalFunction)]
    public void Handler_ValidatesRequests(string request, ModbusExceptionCode expected)
    {
        var reply = Answer(new ModbusRegisterBank().AddUnit(1), request);
        Assert.Equal(ModbusServerReplyKind.Exception, reply.Kind);
        Assert.Equal(expected, reply.ExceptionCode);
    }

    [Fact]
    public void Handler_StaysSilentForAbsentUnit()
    {
        var handler = new ModbusDataModelHandler(new ModbusRegisterBank().AddUnit(1));
        Assert.Equal(ModbusServerReplyKind.NoResponse, handler.Handle(2, Hex.Bytes("03 0000 0001")).Kind);
    }

    [Fact]
    public void RegisterBank_ValidRangesGiveException2Outside()
    {
        var bank = new ModbusRegisterBank().AddUnit(1)
            .SetValidRange(1, ModbusTable.HoldingRegisters, 40000, 10)
            .SetValidRange(1, ModbusTable.HoldingRegisters, 40010, 5);
        var handler = new ModbusDataModelHandler(bank);
        Assert.Equal(ModbusServerReplyKind.Respond, handler.Handle(1, Hex.Bytes("03 9C40 000F")).Kind); // 40000..40014 spans both ranges
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, handler.Handle(1, Hex.Bytes("03 9C40 0010")).ExceptionCode);
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, handler.Handle(1, Hex.Bytes("06 0000 0001")).ExceptionCode);
        Assert.Equal(ModbusServerReplyKind.Respond, handler.Handle(1, Hex.Bytes("04 0000 0001")).Kind); // other tables unrestricted
    }

    [Theory]
    [InlineData("83 06", ModbusExceptionCode.ServerDeviceBusy, true)]
    [InlineData("83 0B", ModbusExceptionCode.GatewayTargetDeviceFailedToRespond, true)]
    [InlineData("83 03", ModbusExceptionCode.IllegalDataValue, false)]
    public void ExceptionResponses_AreTypedWithTransience(string pdu, ModbusExceptionCode code, bool transient)
    {
        var remote = Assert.Throws<ModbusRemoteException>(() => ModbusResponseDecoder.ReadRegisters(Hex.Bytes(pdu), 0x03, new ushort[1]));
        Assert.Equal(code, remote.Code);
        Assert.Equal(transient, remote.IsTransient);
    }

    [Theory]
    [InlineData("04 02 000A")]          // wrong function
    [InlineData("03 04 000A 000B")]     // more registers than asked
    [InlineData("03 02 000A 00")]       // length disagrees with byte count
    [InlineData("83")]                  // truncated exception
    [InlineData("")]
    public void MalformedResponses_AreProtocolErrors(string pdu)
        => Assert.Throws<ModbusProtocolException>(() => ModbusResponseDecoder.ReadRegisters(Hex.Bytes(pdu), 0x03, new ushort[1]));

    [Fact]
    public void WriteEcho_MismatchIsProtocolError()
        => Assert.Throws<ModbusProtocolException>(() => ModbusResponseDecoder.WriteEcho(Hex.Bytes("06 0001 0004"), 0x06, 1, 3));

    [Theory]
    [InlineData(124)]
    [InlineData(0)]
    public void Encoder_RejectsWritesOverTheLimit(int count)
    {
        var ex = Assert.Throws<ArgumentException>(() => ModbusRequestEncoder.WriteMultipleRegisters(new byte[300], 0, new ushort[count]));
        Assert.Contains(count == 0 ? "at least one" : "at most 123", ex.Message);
        Assert.Throws<ArgumentException>(() => ModbusRequestEncoder.WriteMultipleCoils(new byte[300], 0, new bool[1969]));
        Assert.Throws<ArgumentException>(() => ModbusRequestEncoder.WriteReadWriteMultipleRegisters(new byte[300], 0, 1, 0, new ushort[122]));
        Assert.Throws<ArgumentException>(() => ModbusRequestEncoder.WriteReadWriteMultipleRegisters(new byte[300], 0, 126, 0, new ushort[1]));
        Assert.Throws<ArgumentException>(() => ModbusRequestEncoder.WriteRead(new byte[5], ModbusFunctionCode.ReadHoldingRegisters, 0, 126));
        Assert.Throws<ArgumentException>(() => ModbusRequestEncoder.WriteRead(new byte[5], ModbusFunctionCode.ReadCoils, 0, 2001));
    }
}
