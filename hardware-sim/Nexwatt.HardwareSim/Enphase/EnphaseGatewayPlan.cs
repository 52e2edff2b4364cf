using System.CommandLine;
using System.Globalization;
using System.Net;
using Nexwatt.HardwareSim.Cli;

namespace Nexwatt.HardwareSim.Enphase;

/// <summary>A validated <c>serve --enphase</c> request.</summary>
internal sealed record EnphaseGatewayPlan
{
    public const string DefaultSerial = "122302045041";

    public IPAddress Address { get; init; } = IPAddress.Loopback;
    public int Port { get; init; }
    public GatewayGeneration Generation { get; init; } = GatewayGeneration.Firmware7;
    public string? CapturesDirectory { get; init; }
    public string Serial { get; init; } = DefaultSerial;
    public string InstallerPassword { get; init; } = "";
    public string? TokenDirectory { get; init; }
    public int Batteries { get; init; } = 1;
    public GatewayFaultPlan Faults { get; init; } = GatewayFaultPlan.None;
    public double LatitudeDegrees { get; init; } = ServePlanBinder.DefaultLatitude;
    public double LongitudeDegrees { get; init; } = ServePlanBinder.DefaultLongitude;
    public DateTimeOffset? StartTime { get; init; }
    public double ClockSpeed { get; init; } = 1;
    public int Seed { get; init; } = 1;

    /// <summary>Reads the flags; null with <paramref name="errors"/> filled when one is wrong.</summary>
    public static EnphaseGatewayPlan? Bind(ParseResult parse, EnphaseServeOptions enphase, ServeOptions serve, List<string> errors)
    {
        var plan = new EnphaseGatewayPlan();
        var port = parse.GetValue(enphase.Port) ?? 0;
        if (port is < 0 or > 65535) errors.Add($"--enphase {port}: a TCP port 0..65535 (0 = a free port).");
        var major = parse.GetValue(enphase.Firmware) ?? 7;
        var generation = GatewayGeneration.ForMajor(major);
        if (generation is null) errors.Add($"--firmware {major}: the simulator offers firmware 5, 7 or 8.");
        var captures = parse.GetValue(enphase.Captures);
        if (captures is not null && !captures.Exists) errors.Add($"--captures {captures}: no such folder.");
        var bind = parse.GetValue(serve.Host) ?? "127.0.0.1";
        if (!IPAddress.TryParse(bind, out var address)) errors.Add($"--bind {bind}: an IP address such as 127.0.0.1 or 0.0.0.0.");
        var batteries = parse.GetValue(enphase.Batteries) ?? 1;
        if (batteries is < 0 or > 8) errors.Add($"--enphase-batteries {batteries}: 0 to 8.");
        var serial = parse.GetValue(enphase.Serial) ?? DefaultSerial;
        if (serial.Length < 6 || !serial.All(char.IsAsciiDigit)) errors.Add($"--gateway-serial {serial}: the gateway serial is digits only, at least six.");
        if (!GatewayFaultPlan.TryParse(parse.GetValue(serve.Fault) ?? [], out var faults, out var faultError)) errors.Add($"--fault: {faultError}");
        DateTimeOffset? start = null;
        if (parse.GetValue(serve.StartTime) is { } startText)
        {
            if (DateTimeOffset.TryParse(startText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) start = parsed;
            else errors.Add($"--start-time '{startText}' is not an ISO 8601 date and time (e.g. 2026-06-21T06:00Z).");
        }
        var speed = parse.GetValue(serve.ClockSpeed) ?? 1;
        if (!(speed > 0) || double.IsInfinity(speed)) errors.Add($"--clock-speed {speed}: a positive number.");
        if (errors.Count > 0) return null;
        return plan with
        {
            Address = address!,
            Port = port,
            Generation = generation!,
            CapturesDirectory = captures?.FullName,
            Serial = serial,
            InstallerPassword = parse.GetValue(enphase.InstallerPassword) ?? "",
            TokenDirectory = parse.GetValue(enphase.TokenDirectory),
            Batteries = batteries,
            Faults = faults,
            LatitudeDegrees = parse.GetValue(serve.Latitude) ?? ServePlanBinder.DefaultLatitude,
            LongitudeDegrees = parse.GetValue(serve.Longitude) ?? ServePlanBinder.DefaultLongitude,
            StartTime = start,
            ClockSpeed = speed,
            Seed = parse.GetValue(serve.Seed) ?? 1,
        };
    }
}
