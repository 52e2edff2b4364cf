namespace Nexwatt.Protocols.Modbus.Server;

/// <summary>
/// What a Modbus server asks of the application for each request: one handler serves every unit id
/// on the listener. The server owns framing, sockets and transaction ids; the handler owns the data.
/// </summary>
public interface IModbusServerHandler
{
    /// <summary>
    /// Answers one request. <paramref name="request"/> is the PDU (function code first) exactly as received,
    /// already length-checked by the codec. The returned reply says what the server puts on the wire.
    /// </summary>
    ValueTask<ModbusServerReply> HandleAsync(byte unitId, ReadOnlyMemory<byte> request, CancellationToken cancellationToken);
}

/// <summary>What the server does with a request.</summary>
public enum ModbusServerReplyKind
{
    /// <summary>Send <see cref="ModbusServerReply.Pdu"/> as the response PDU.</summary>
    Respond,
    /// <summary>Send an exception response with <see cref="ModbusServerReply.ExceptionCode"/>.</summary>
    Exception,
    /// <summary>Send nothing (an absent unit id behind a TCP gateway, or an injected dropout).</summary>
    NoResponse,
    /// <summary>Close the client's connection at once (fault injection: dropped connection).</summary>
    CloseConnection,
    /// <summary>Send the raw bytes in <see cref="ModbusServerReply.Pdu"/> as the whole ADU, unframed (fault injection: garbage).</summary>
    RawBytes,
}

/// <summary>A handler's decision for one request.</summary>
public readonly record struct ModbusServerReply(ModbusServerReplyKind Kind, ReadOnlyMemory<byte> Pdu, ModbusExceptionCode ExceptionCode)
{
    public static ModbusServerReply Respond(ReadOnlyMemory<byte> pdu) => new(ModbusServerReplyKind.Respond, pdu, default);
    public static ModbusServerReply Fail(ModbusExceptionCode code) => new(ModbusServerReplyKind.Exception, default, code);
    public static ModbusServerReply None => new(ModbusServerReplyKind.NoResponse, default, default);
    public static ModbusServerReply Close => new(ModbusServerReplyKind.CloseConnection, default, default);
    public static ModbusServerReply Raw(ReadOnlyMemory<byte> bytes) => new(ModbusServerReplyKind.RawBytes, bytes, default);
}
