using Nexwatt.Protocols.Modbus.Rtu.Serial;

namespace Nexwatt.EdgeAgent.Configuration;

/// <summary>How a Modbus device is reached: TCP (MBAP), RTU on a serial port, or RTU frames over TCP.</summary>
public sealed partial class DeviceOptions
{
    /// <summary>"tcp" (Modbus TCP, the default), "rtu" (a serial port, see <see cref="Serial"/>) or "rtu-over-tcp" (RTU frames to Host:Port).</summary>
    public string Transport { get; set; } = ModbusTransports.Tcp;

    /// <summary>The serial port of an "rtu" device; every device on one port shares one bus.</summary>
    public SerialOptions Serial { get; set; } = new();

    internal bool IsSerial => string.Equals(Transport, ModbusTransports.Rtu, StringComparison.OrdinalIgnoreCase);

    internal bool IsRtuOverTcp => string.Equals(Transport, ModbusTransports.RtuOverTcp, StringComparison.OrdinalIgnoreCase);

    /// <summary>Where the device is, for its default id: host:port, or the serial port.</summary>
    internal string Location => IsSerial ? Serial.Port : $"{Host}:{Port}";
}

public static class ModbusTransports
{
    public const string Tcp = "tcp";
    public const string Rtu = "rtu";
    public const string RtuOverTcp = "rtu-over-tcp";

    public static readonly IReadOnlyList<string> All = [Tcp, Rtu, RtuOverTcp];
}

/// <summary>One serial port (RS-485 or RS-232) carrying Modbus RTU (open for the discovery sweep's settings, which add the units to sweep).</summary>
public class SerialOptions
{
    /// <summary>The device path, e.g. /dev/ttyUSB0 (better a stable /dev/serial/by-id/... link).</summary>
    public string Port { get; set; } = "";

    public int BaudRate { get; set; } = 9600;

    /// <summary>None (8N1, what most meters and inverters ship with), Even (the spec's default), Odd, Mark or Space.</summary>
    public string Parity { get; set; } = "None";

    public int DataBits { get; set; } = 8;

    /// <summary>One, OnePointFive or Two.</summary>
    public string StopBits { get; set; } = "One";

    /// <summary>Extra quiet time after each answer before the next request (slow transceivers).</summary>
    public TimeSpan TurnaroundDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The adapter echoes what it sends (2-wire RS-485 without echo suppression).</summary>
    public bool LocalEcho { get; set; }

    /// <summary>Set the kernel's RS-485 mode (TIOCSRS485) when opening, for UARTs whose driver switches the transceiver.</summary>
    public bool Rs485 { get; set; }

    public TimeSpan Rs485DelayBeforeSend { get; set; } = TimeSpan.Zero;

    public TimeSpan Rs485DelayAfterSend { get; set; } = TimeSpan.Zero;

    /// <summary>The library's settings; only for options that passed <see cref="RtuOptionsChecks"/>.</summary>
    internal SerialPortSettings ToSettings() => new()
    {
        Port = Port,
        BaudRate = BaudRate,
        Parity = Enum.Parse<System.IO.Ports.Parity>(Parity, ignoreCase: true),
        DataBits = DataBits,
        StopBits = Enum.Parse<System.IO.Ports.StopBits>(StopBits, ignoreCase: true),
        Rs485 = Rs485,
        Rs485DelayBeforeSend = Rs485DelayBeforeSend,
        Rs485DelayAfterSend = Rs485DelayAfterSend,
    };
}

/// <summary>The checks of a device's transport and serial settings, each naming its key and the expected form.</summary>
internal static class RtuOptionsChecks
{
    private static readonly string[] Parities = ["None", "Even", "Odd", "Mark", "Space"];
    private static readonly string[] StopBitValues = ["One", "OnePointFive", "Two"];

    public static void AddProblems(DeviceOptions device, string key, List<string> problems)
    {
        if (!ModbusTransports.All.Contains(device.Transport, StringComparer.OrdinalIgnoreCase))
        {
            problems.Add($"{key}:Transport '{device.Transport}' is unknown; use one of {string.Join(", ", ModbusTransports.All)}.");
            return;
        }
        if (device.IsSerial) AddSerialProblems(device.Serial, $"{key}:Serial", problems);
    }

    /// <summary>The line settings' checks under <paramref name="key"/>: a device's Serial section, or a discovery sweep.</summary>
    public static void AddSerialProblems(SerialOptions serial, string key, List<string> problems)
    {
        var parityOk = Parities.Contains(serial.Parity, StringComparer.OrdinalIgnoreCase);
        var stopOk = StopBitValues.Contains(serial.StopBits, StringComparer.OrdinalIgnoreCase);
        if (!parityOk) problems.Add($"{key}:Parity '{serial.Parity}' must be one of {string.Join(", ", Parities)}.");
        if (!stopOk) problems.Add($"{key}:StopBits '{serial.StopBits}' must be one of {string.Join(", ", StopBitValues)}.");
        if (serial.TurnaroundDelay < TimeSpan.Zero || serial.TurnaroundDelay > TimeSpan.FromSeconds(1))
            problems.Add($"{key}:TurnaroundDelay {serial.TurnaroundDelay} must be 0..1s (e.g. \"5ms\").");
        if (!parityOk || !stopOk) return;
        foreach (var problem in serial.ToSettings().Problems()) problems.Add($"{key}:{problem}");
    }
}
