namespace Nexwatt.Protocols.Modbus;

/// <summary>Base of the Modbus error taxonomy; retry policy is one check of <see cref="IsTransient"/>.</summary>
public abstract class ModbusException : Exception
{
    protected ModbusException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>True when the same request may succeed if retried later.</summary>
    public abstract bool IsTransient { get; }
}

/// <summary>The device answered with an exception response; the link itself is healthy.</summary>
public sealed class ModbusRemoteException : ModbusException
{
    public ModbusRemoteException(byte functionCode, ModbusExceptionCode code)
        : base($"Device answered function 0x{functionCode:X2} with exception {(byte)code} ({code}).")
    {
        FunctionCode = functionCode;
        Code = code;
    }

    public byte FunctionCode { get; }
    public ModbusExceptionCode Code { get; }

    // Busy, acknowledge and gateway faults are worth a retry; address or value errors are not.
    public override bool IsTransient => Code is ModbusExceptionCode.ServerDeviceBusy
        or ModbusExceptionCode.Acknowledge
        or ModbusExceptionCode.GatewayPathUnavailable
        or ModbusExceptionCode.GatewayTargetDeviceFailedToRespond
        or ModbusExceptionCode.ServerDeviceFailure;
}

/// <summary>A frame that violates the protocol (bad length, bad CRC, unexpected function). The connection is dropped.</summary>
public sealed class ModbusProtocolException : ModbusException
{
    public ModbusProtocolException(string message) : base(message) { }
    public ModbusProtocolException(string message, Exception? innerException) : base(message, innerException) { }
    public override bool IsTransient => true;
}

/// <summary>The transport failed (refused, reset, closed). The link reconnects with backoff.</summary>
public sealed class ModbusCommunicationException : ModbusException
{
    public ModbusCommunicationException(string message, Exception? innerException = null) : base(message, innerException) { }
    public override bool IsTransient => true;
}

/// <summary>The device is in a circuit-breaker pause after repeated failures; no request was sent.</summary>
public sealed class ModbusDeviceUnavailableException : ModbusException
{
    public ModbusDeviceUnavailableException(string message, DateTimeOffset retryAfter) : base(message) => RetryAfter = retryAfter;
    public DateTimeOffset RetryAfter { get; }
    public override bool IsTransient => true;
}
