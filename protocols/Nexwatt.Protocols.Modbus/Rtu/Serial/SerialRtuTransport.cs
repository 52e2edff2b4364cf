using System.IO.Ports;
using Nexwatt.Protocols.Modbus.Rtu.Transport;

namespace Nexwatt.Protocols.Modbus.Rtu.Serial;

/// <summary>
/// RTU over a serial port through System.IO.Ports. Its limits on Linux, and what the link does about them:
/// <list type="bullet">
/// <item>only standard baud rates (termios Bxxx): checked in <see cref="SerialPortSettings.Problems"/>;</item>
/// <item>no RS-485 mode (TIOCSRS485): set by <see cref="Rs485Mode"/> when configured;</item>
/// <item>reads and timeouts are coarse (about 1 ms per short read, ReadTimeout under ~30 ms rounded up, and a 1 ms poll
/// loop while a read is pending): System.IO.Ports only sets the line; the bytes go through <see cref="TtyStream"/>,
/// whose waits are ppoll(2) with a nanosecond timeout.</item>
/// </list>
/// A port that is missing, busy or not permitted fails the open with <see cref="ModbusCommunicationException"/>; the
/// link retries it with backoff, so the device stays unhealthy instead of crashing the agent.
/// </summary>
public sealed class SerialRtuTransport : IModbusRtuTransport
{
    private readonly SerialPortSettings _settings;

    public SerialRtuTransport(SerialPortSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var problems = settings.Problems();
        if (problems.Count > 0) throw new ArgumentException($"Invalid serial port settings: {string.Join(" ", problems)}", nameof(settings));
        _settings = settings.Clone();
    }

    public string Name => _settings.Port;

    public ValueTask<IRtuChannel> OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var port = new SerialPort(_settings.Port, _settings.BaudRate, _settings.Parity, _settings.DataBits, _settings.StopBits)
        {
            Handshake = Handshake.None,
            ReadBufferSize = 4096,
            WriteBufferSize = 4096,
        };
        try
        {
            if (_settings.Rs485) Rs485Mode.Enable(_settings.Port, _settings.Rs485DelayBeforeSend, _settings.Rs485DelayAfterSend);
            // System.IO.Ports checks and sets the line; the bytes then go through our own descriptor (see TtyStream).
            port.Open();
            port.Close();
            return ValueTask.FromResult<IRtuChannel>(new Channel(TtyStream.Open(_settings.Port)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            var reason = ex switch
            {
                FileNotFoundException => "it does not exist",
                UnauthorizedAccessException => $"it is missing, busy or not permitted ({ex.InnerException?.Message ?? ex.Message})",
                ArgumentException => $"it refused the line settings ({_settings.BaudRate} baud, {_settings.DataBits} data bits, parity {_settings.Parity}, stop bits {_settings.StopBits}; a pty takes no parity)",
                _ => ex.Message,
            };
            throw new ModbusCommunicationException($"Opening the serial port {_settings.Port} failed: {reason}.", ex);
        }
    }

    private sealed class Channel(TtyStream stream) : IRtuChannel
    {
        public Stream Stream => stream;

        public void DiscardInput() => stream.DiscardInput();

        public void Send(ReadOnlySpan<byte> frame) => stream.Write(frame);

        public int Receive(Span<byte> buffer, TimeSpan wait) => stream.Receive(buffer, wait);

        public ValueTask DisposeAsync()
        {
            stream.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
