using System.IO.Ports;

namespace Nexwatt.Protocols.Modbus.Rtu.Serial;

/// <summary>
/// How to open one serial port for Modbus RTU. The spec (Modbus over Serial Line V1.02, 2.5.1) makes even parity the
/// default, but most energy meters and inverters ship as 8N1, so None is the default here.
/// </summary>
public sealed class SerialPortSettings
{
    /// <summary>The device path, e.g. /dev/ttyUSB0 or /dev/ttyAMA0.</summary>
    public string Port { get; set; } = "";

    public int BaudRate { get; set; } = 9600;

    public Parity Parity { get; set; } = Parity.None;

    public int DataBits { get; set; } = 8;

    public StopBits StopBits { get; set; } = StopBits.One;

    /// <summary>Ask the kernel's driver to drive the RS-485 transceiver (TIOCSRS485); for adapters that need it.</summary>
    public bool Rs485 { get; set; }

    /// <summary>RTS delay before sending, with <see cref="Rs485"/> (whole milliseconds).</summary>
    public TimeSpan Rs485DelayBeforeSend { get; set; } = TimeSpan.Zero;

    /// <summary>RTS delay after sending, with <see cref="Rs485"/> (whole milliseconds).</summary>
    public TimeSpan Rs485DelayAfterSend { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// The speeds termios can set: System.IO.Ports on Linux maps the baud rate to a Bxxx constant and refuses others.
    /// </summary>
    public static readonly IReadOnlyList<int> StandardBaudRates =
    [
        50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800,
        500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
    ];

    /// <summary>Every problem with these settings, each naming the setting and the expected form; empty when valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Port) || !Port.StartsWith('/'))
            problems.Add($"Port must be a device path such as /dev/ttyUSB0 (got '{Port}').");
        if (!StandardBaudRates.Contains(BaudRate))
            problems.Add($"BaudRate must be a standard rate (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200...; got {BaudRate}).");
        if (!Enum.IsDefined(Parity)) problems.Add($"Parity must be None, Odd, Even, Mark or Space (got {Parity}).");
        if (DataBits is < 5 or > 8) problems.Add($"DataBits must be 5..8 (got {DataBits}).");
        if (StopBits is not (StopBits.One or StopBits.OnePointFive or StopBits.Two)) problems.Add($"StopBits must be One, OnePointFive or Two (got {StopBits}).");
        if (Rs485DelayBeforeSend < TimeSpan.Zero || Rs485DelayBeforeSend > TimeSpan.FromSeconds(1))
            problems.Add($"Rs485DelayBeforeSend must be 0..1s (got {Rs485DelayBeforeSend}).");
        if (Rs485DelayAfterSend < TimeSpan.Zero || Rs485DelayAfterSend > TimeSpan.FromSeconds(1))
            problems.Add($"Rs485DelayAfterSend must be 0..1s (got {Rs485DelayAfterSend}).");
        return problems;
    }

    internal SerialPortSettings Clone() => (SerialPortSettings)MemberwiseClone();
}
