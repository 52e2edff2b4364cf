using System.Buffers.Binary;
using Nexwatt.Protocols.Modbus.Pdu;

namespace Nexwatt.Protocols.Modbus.Server;

/// <summary>
/// The standard server behaviour over an <see cref="IModbusDataModel"/>: decodes the request PDU, validates it
/// (unsupported function → 01, bad quantity or byte count → 03, range past 65535 → 02), calls the model and encodes
/// the answer. A unit the model does not have gets no response, as behind a TCP gateway. Stateless and thread-safe;
/// wrap it in a decorator to inject faults.
/// </summary>
public sealed class ModbusDataModelHandler : IModbusServerHandler
{
    private readonly IModbusDataModel _model;

    public ModbusDataModelHandler(IModbusDataModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    public ValueTask<ModbusServerReply> HandleAsync(byte unitId, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
        => new(Handle(unitId, request.Span));

    /// <summary>The synchronous core of <see cref="HandleAsync"/>.</summary>
    public ModbusServerReply Handle(byte unitId, ReadOnlySpan<byte> pdu)
    {
        if (!_model.HasUnit(unitId)) return ModbusServerReply.None;
        if (ModbusRequestDecoder.Decode(pdu, out var request) is { } invalid) return ModbusServerReply.Fail(invalid);
        var function = (byte)request.Function;
        switch (request.Function)
        {
            case ModbusFunctionCode.ReadCoils or ModbusFunctionCode.ReadDiscreteInputs:
            {
                Span<bool> bits = stackalloc bool[request.Quantity];
                var table = request.Function == ModbusFunctionCode.ReadCoils ? ModbusTable.Coils : ModbusTable.DiscreteInputs;
                if (_model.ReadBits(unitId, table, request.Address, bits) is { } error) return ModbusServerReply.Fail(error);
                var response = new byte[ModbusResponseEncoder.BitsLength(bits.Length)];
                ModbusResponseEncoder.WriteBits(response, function, bits);
                return ModbusServerReply.Respond(response);
            }
            case ModbusFunctionCode.ReadHoldingRegisters or ModbusFunctionCode.ReadInputRegisters:
            {
                Span<ushort> registers = stackalloc ushort[request.Quantity];
                var table = request.Function == ModbusFunctionCode.ReadHoldingRegisters ? ModbusTable.HoldingRegisters : ModbusTable.InputRegisters;
                if (_model.ReadRegisters(unitId, table, request.Address, registers) is { } error) return ModbusServerReply.Fail(error);
                return RespondRegisters(function, registers);
            }
            case ModbusFunctionCode.WriteSingleCoil:
            {
                ReadOnlySpan<bool> value = [request.Value == 0xFF00];
                if (_model.WriteCoils(unitId, request.Address, value) is { } error) return ModbusServerReply.Fail(error);
                return Echo(function, request.Address, request.Value);
            }
            case ModbusFunctionCode.WriteSingleRegister:
            {
                ReadOnlySpan<ushort> value = [request.Value];
                if (_model.WriteRegisters(unitId, request.Address, value) is { } error) return ModbusServerReply.Fail(error);
                return Echo(function, request.Address, request.Value);
            }
            case ModbusFunctionCode.WriteMultipleCoils:
            {
                Span<bool> bits = stackalloc bool[request.Quantity];
                ModbusBits.Unpack(request.Data, bits);
                if (_model.WriteCoils(unitId, request.Address, bits) is { } error) return ModbusServerReply.Fail(error);
                return Echo(function, request.Address, request.Quantity);
            }
            case ModbusFunctionCode.WriteMultipleRegisters:
            {
                Span<ushort> values = stackalloc ushort[request.Quantity];
                ReadRegisters(request.Data, values);
                if (_model.WriteRegisters(unitId, request.Address, values) is { } error) return ModbusServerReply.Fail(error);
                return Echo(function, request.Address, request.Quantity);
            }
            case ModbusFunctionCode.ReadWriteMultipleRegisters:
            {
                // Section 6.17: the write is performed before the read.
                Span<ushort> values = stackalloc ushort[request.WriteQuantity];
                ReadRegisters(request.Data, values);
                if (_model.WriteRegisters(unitId, request.WriteAddress, values) is { } writeError) return ModbusServerReply.Fail(writeError);
                Span<ushort> registers = stackalloc ushort[request.Quantity];
                if (_model.ReadRegisters(unitId, ModbusTable.HoldingRegisters, request.Address, registers) is { } readError)
                    return ModbusServerReply.Fail(readError);
                return RespondRegisters(function, registers);
            }
            default:
                return ModbusServerReply.Fail(ModbusExceptionCode.IllegalFunction);
        }
    }

    private static ModbusServerReply RespondRegisters(byte function, ReadOnlySpan<ushort> registers)
    {
        var response = new byte[ModbusResponseEncoder.RegistersLength(registers.Length)];
        ModbusResponseEncoder.WriteRegisters(response, function, registers);
        return ModbusServerReply.Respond(response);
    }

    private static ModbusServerReply Echo(byte function, ushort address, ushort valueOrQuantity)
    {
        var response = new byte[5];
        ModbusResponseEncoder.WriteEcho(response, function, address, valueOrQuantity);
        return ModbusServerReply.Respond(response);
    }

    private static void ReadRegisters(ReadOnlySpan<byte> data, Span<ushort> destination)
    {
        for (var i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadUInt16BigEndian(data[(i * 2)..]);
    }
}
