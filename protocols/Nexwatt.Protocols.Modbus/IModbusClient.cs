namespace Nexwatt.Protocols.Modbus;

/// <summary>
/// The Modbus application-protocol operations a master can perform on one unit (slave) id.
/// Implementations schedule the request on the physical link that reaches the unit.
/// </summary>
/// <remarks>
/// Errors: <see cref="ModbusRemoteException"/> when the device answered with an exception code
/// (the link stays up), <see cref="ModbusProtocolException"/> for a malformed answer,
/// <see cref="ModbusCommunicationException"/> for a transport failure, <see cref="TimeoutException"/>
/// when no answer came in time, and <see cref="OperationCanceledException"/> only for the caller's token.
/// Reads longer than the PDU limit are split into several requests.
/// </remarks>
public interface IModbusClient
{
    /// <summary>Function 0x03.</summary>
    ValueTask<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>Function 0x04.</summary>
    ValueTask<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>Function 0x01.</summary>
    ValueTask<bool[]> ReadCoilsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>Function 0x02.</summary>
    ValueTask<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>Function 0x05.</summary>
    ValueTask WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken = default);

    /// <summary>Function 0x06.</summary>
    ValueTask WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default);

    /// <summary>Function 0x0F.</summary>
    ValueTask WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default);

    /// <summary>Function 0x10. Writes longer than the PDU limit are rejected, never split (a split write is not atomic).</summary>
    ValueTask WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default);
}
