namespace Nexwatt.Protocols.Modbus.Rtu.Transport;

/// <summary>
/// How a <see cref="Client.ModbusRtuLink"/> reaches its bus: a serial port, or a TCP socket to a serial gateway that
/// carries raw RTU frames. The link opens one channel at a time and reopens it (with backoff) after a failure.
/// </summary>
public interface IModbusRtuTransport
{
    /// <summary>What the bus is called in errors and logs ("/dev/ttyUSB0", "tcp://10.0.0.5:4001").</summary>
    string Name { get; }

    /// <summary>Opens the byte channel; throws <see cref="ModbusCommunicationException"/> with the reason when it cannot.</summary>
    ValueTask<IRtuChannel> OpenAsync(CancellationToken cancellationToken);
}

/// <summary>One open byte channel to the bus.</summary>
public interface IRtuChannel : IAsyncDisposable
{
    Stream Stream { get; }

    /// <summary>Drops bytes the operating system holds that nobody has read yet (a serial port's input buffer).</summary>
    void DiscardInput();
}
