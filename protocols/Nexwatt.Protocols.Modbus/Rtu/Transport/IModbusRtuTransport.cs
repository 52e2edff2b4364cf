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

/// <summary>
/// One open byte channel to the bus. The client side is synchronous on purpose: the link's one bus thread sends a
/// frame and waits in the kernel (poll) for the answer's bytes, as libmodbus does, instead of hopping between pool
/// threads and timers for every read. The server side (<see cref="Stream"/>) stays asynchronous.
/// </summary>
public interface IRtuChannel : IAsyncDisposable
{
    /// <summary>The channel as a stream, for the server side (<see cref="Server.ModbusRtuServer"/>).</summary>
    Stream Stream { get; }

    /// <summary>Drops bytes the operating system holds that nobody has read yet (a serial port's input buffer).</summary>
    void DiscardInput();

    /// <summary>Writes one whole frame; throws <see cref="IOException"/> when the channel broke.</summary>
    void Send(ReadOnlySpan<byte> frame);

    /// <summary>
    /// Waits at most <paramref name="wait"/> (zero: does not wait) for bytes and copies what came into
    /// <paramref name="buffer"/>: the count, 0 when nothing came in time, -1 when the channel ended (the peer closed,
    /// the tty hung up). Throws <see cref="IOException"/> when the channel failed.
    /// </summary>
    int Receive(Span<byte> buffer, TimeSpan wait);
}
