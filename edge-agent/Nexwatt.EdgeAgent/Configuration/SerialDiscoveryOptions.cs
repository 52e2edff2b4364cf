namespace Nexwatt.EdgeAgent.Configuration;

public sealed partial class DiscoveryOptions
{
    /// <summary>Serial ports whose unit ids the worker sweeps for devices ("Agent:Discovery:Serial"), beside the TCP ranges.</summary>
    public List<SerialSweepOptions> Serial { get; set; } = [];

    internal bool HasTargets => Ranges.Count > 0 || Serial.Count > 0;
}

/// <summary>
/// One RTU bus to sweep: the port's line settings (the same keys as a device's Serial section) plus the unit ids to try
/// and the short wait for each. The sweep shares the bus's one link with the devices configured on that port.
/// </summary>
public sealed class SerialSweepOptions : SerialOptions
{
    /// <summary>Unit ids to try, e.g. "1-10" or "1-3,126".</summary>
    public string Units { get; set; } = "1-247";

    /// <summary>How long each unit id may stay silent: short, since most addresses of a bus are empty.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The ids of <see cref="Units"/>; only for options that passed <see cref="SerialDiscoveryChecks"/>.</summary>
    internal IReadOnlyList<int> UnitIds => Cli.CliOptions.ParseList(Units, 1, 247, out _) ?? [];
}

/// <summary>The checks of "Agent:Discovery:Serial", each naming its key and the expected form.</summary>
internal static class SerialDiscoveryChecks
{
    public static void AddProblems(AgentOptions options, List<string> problems)
    {
        var ports = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Discovery.Serial.Count; i++)
        {
            var sweep = options.Discovery.Serial[i];
            var key = $"Agent:Discovery:Serial:{i}";
            if (string.IsNullOrWhiteSpace(sweep.Port))
            {
                problems.Add($"{key}:Port is empty; give the device path, e.g. /dev/ttyUSB0.");
                continue;
            }
            if (!ports.Add(sweep.Port)) problems.Add($"{key}:Port '{sweep.Port}' is swept twice; list each port once.");
            RtuOptionsChecks.AddSerialProblems(sweep, key, problems);
            if (Cli.CliOptions.ParseList(sweep.Units, 1, 247, out var error) is null)
                problems.Add($"{key}:Units '{sweep.Units}': {error}; use unit ids 1-247 such as \"1-10\" or \"1-3,126\".");
            if (sweep.ProbeTimeout <= TimeSpan.Zero || sweep.ProbeTimeout > TimeSpan.FromSeconds(5))
                problems.Add($"{key}:ProbeTimeout {sweep.ProbeTimeout} must be above zero and at most 5s (e.g. \"100ms\").");
            // One bus has one line setting: the sweep runs on the link of the devices configured on that port.
            foreach (var device in options.Devices.Where(d => d.IsSerial && d.Serial.Port == sweep.Port && !SameLine(d.Serial, sweep)))
                problems.Add($"{key} sweeps {sweep.Port} at {Line(sweep)}, but device '{device.EffectiveId}' uses it at {Line(device.Serial)}; one bus has one line setting.");
        }
    }

    private static bool SameLine(SerialOptions a, SerialOptions b) => Line(a) == Line(b);

    private static string Line(SerialOptions serial) =>
        $"{serial.BaudRate} baud {serial.DataBits} data bits parity {serial.Parity.ToLowerInvariant()} stop bits {serial.StopBits.ToLowerInvariant()}";
}
