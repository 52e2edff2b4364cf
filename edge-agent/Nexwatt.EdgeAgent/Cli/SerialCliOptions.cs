using System.CommandLine;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.Modbus.Rtu.Serial;

namespace Nexwatt.EdgeAgent.Cli;

/// <summary>
/// The serial side of `nexwatt-agent read` (and `scan`): `--serial PATH --baud N [--parity P] [--stop-bits S]
/// [--turnaround T] [--local-echo]` reaches the device over Modbus RTU instead of `--host` over TCP.
/// </summary>
internal sealed class SerialCliOptions
{
    private SerialCliOptions() { }

    public Option<string?> Serial { get; } = new("--serial") { Description = "A serial port carrying Modbus RTU, e.g. /dev/ttyUSB0 (instead of --host)." };

    public Option<int> Baud { get; } = new("--baud", "-b") { Description = "Serial line speed (default 9600).", DefaultValueFactory = _ => 9600 };

    public Option<System.IO.Ports.Parity> Parity { get; } = new("--parity")
    {
        Description = "None (the default: 8N1, what most meters and inverters ship with), Even or Odd.",
        DefaultValueFactory = _ => System.IO.Ports.Parity.None,
    };

    public Option<System.IO.Ports.StopBits> StopBits { get; } = new("--stop-bits") { Description = "One or Two (default One).", DefaultValueFactory = _ => System.IO.Ports.StopBits.One };

    public Option<bool> LocalEcho { get; } = new("--local-echo") { Description = "The adapter echoes what it sends: drop the echo." };

    /// <summary>
    /// Adds the serial options to <paramref name="command"/>, which then needs exactly one of --host, --serial and the
    /// <paramref name="otherSources"/> (such as --enphase).
    /// </summary>
    public static SerialCliOptions AddTo(Command command, Option host, params Option[] otherSources)
    {
        var options = new SerialCliOptions();
        command.Options.Add(options.Serial);
        command.Options.Add(options.Baud);
        command.Options.Add(options.Parity);
        command.Options.Add(options.StopBits);
        command.Options.Add(options.LocalEcho);
        options.StopBits.AcceptOnlyFromAmong("One", "OnePointFive", "Two");
        options.Parity.AcceptOnlyFromAmong("None", "Even", "Odd", "Mark", "Space");
        options.Serial.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } path && !path.StartsWith('/')) r.AddError($"--serial must be a device path such as /dev/ttyUSB0 (got '{path}').");
        });
        options.Baud.Validators.Add(r =>
        {
            if (!SerialPortSettings.StandardBaudRates.Contains(r.GetValueOrDefault<int>()))
                r.AddError($"--baud must be a standard rate (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200...; got {r.GetValueOrDefault<int>()}).");
        });
        command.Validators.Add(result =>
        {
            var given = new Option[] { host, options.Serial }.Concat(otherSources).Count(o => result.GetResult(o) is { Implicit: false });
            if (given != 1)
                result.AddError($"Give exactly one of --host (Modbus TCP), --serial (Modbus RTU){string.Concat(otherSources.Select(o => $" or {o.Name}"))}.");
        });
        return options;
    }

    /// <summary>The RTU link for --serial, or null when the command reads over TCP.</summary>
    public ModbusRtuLink? CreateLink(ParseResult parse, TimeSpan timeout)
    {
        if (parse.GetValue(Serial) is not { Length: > 0 } port) return null;
        var settings = Settings(port, parse.GetValue(Baud), parse.GetValue(Parity), parse.GetValue(StopBits));
        return new ModbusRtuLink(new SerialRtuTransport(settings), new ModbusRtuLinkOptions
        {
            BaudRate = settings.BaudRate,
            ResponseTimeout = timeout,
            LocalEcho = parse.GetValue(LocalEcho),
            // A technician's read tries every request; a breaker would turn one slow answer into refusals.
            BreakerFailureThreshold = int.MaxValue,
        });
    }

    private SerialPortSettings Settings(string port, int baud, System.IO.Ports.Parity parity, System.IO.Ports.StopBits stopBits)
        => new() { Port = port, BaudRate = baud, Parity = parity, StopBits = stopBits };
}
