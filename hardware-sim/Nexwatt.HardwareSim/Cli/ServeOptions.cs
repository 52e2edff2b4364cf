using System.CommandLine;

namespace Nexwatt.HardwareSim.Cli;

/// <summary>The options of <c>hardware-sim serve</c>.</summary>
internal sealed class ServeOptions
{
    public Option<string[]> Inverter { get; } = new("--inverter")
    {
        Description = "Serve a PV inverter on [HOST:]PORT (repeatable; without a value it uses --port).",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Battery { get; } = new("--battery")
    {
        Description = "Serve a battery on [HOST:]PORT (repeatable; without a value it uses --port).",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Device { get; } = new("--device")
    {
        Description = "Serve a device: TYPE[:NAME][@[HOST:]PORT][/UNIT], e.g. inverter@127.0.0.1:5020/1 (repeatable).",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<FileInfo?> SiteFile { get; } = new("--site") { Description = "A JSON site file with the devices and site settings." };

    // Loopback unless told otherwise: a bench tool that answers (and obeys writes from) anyone on the network must be
    // asked to. `--host` and `--listen` are the same option.
    public Option<string?> Host { get; } = new("--bind", "--host", "--listen")
    {
        Description = "Address to listen on when a device names none (default 127.0.0.1; 0.0.0.0 serves every interface).",
    };

    public Option<int?> Port { get; } = new("--port") { Description = "Port for devices that name none; they share it with unit ids 1, 2... (default 5020; 0 = a free port)." };

    public Option<bool> SinglePhase { get; } = new("--single-phase") { Description = "Flag-defined inverters are single phase (model 101 instead of 103)." };

    public Option<double?> Latitude { get; } = new("--latitude") { Description = "Site latitude in degrees, north positive (default 52.0)." };

    public Option<double?> Longitude { get; } = new("--longitude") { Description = "Site longitude in degrees, east positive; sets solar noon (default 5.0)." };

    public Option<string?> TimeZone { get; } = new("--timezone") { Description = "IANA time zone for --start-time without an offset and for displayed times (default UTC)." };

    public Option<double?> ClockSpeed { get; } = new("--clock-speed") { Description = "Simulated time runs N times faster than real time (default 1)." };

    public Option<string?> StartTime { get; } = new("--start-time") { Description = "Simulated start instant, ISO 8601 (e.g. 2026-06-21T06:00; default now)." };

    public Option<int?> Seed { get; } = new("--seed") { Description = "Seed for fault injection and measurement noise (default 1)." };

    public Option<string[]> Fault { get; } = new("--fault")
    {
        Description = "[DEVICE:]drop=P,drop-every=N,slow=MS[@P],exception=P[:CODE],garbage=P,corrupt=P,freeze (repeatable; no DEVICE = all).",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<bool> NoTable { get; } = new("--no-table") { Description = "Plain log lines instead of the live table (automatic when stdout is not a terminal)." };

    public IEnumerable<Option> All =>
    [
        Inverter, Battery, Device, SiteFile, Host, Port, SinglePhase, Latitude, Longitude, TimeZone, ClockSpeed, StartTime, Seed, Fault, NoTable,
        Hosting.SerialListener.PortOption, Hosting.SerialListener.BaudOption,
    ];
}
