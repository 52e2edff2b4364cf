using System.Globalization;
using System.Text.RegularExpressions;

namespace Nexwatt.Bench.Scan;

/// <summary>One device hardware-sim serves, as announced by its READY line.</summary>
internal sealed partial record SimulatedDevice(string Name, string Host, int Port, byte UnitId)
{
    /// <summary>Parses a line such as <c>READY inverter ... endpoint=127.0.0.1:40123 unit=1 ...</c>; null for other lines.</summary>
    public static SimulatedDevice? TryParse(string line)
    {
        if (!line.StartsWith("READY", StringComparison.Ordinal)) return null;
        var endpoint = Endpoint().Match(line);
        if (!endpoint.Success) return null;
        var unit = Unit().Match(line);
        var name = NameField().Match(line);
        return new SimulatedDevice(
            name.Success ? name.Groups[1].Value : line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var second, ..] && !second.Contains('=') ? second : "device",
            endpoint.Groups[1].Value,
            int.Parse(endpoint.Groups[2].Value, CultureInfo.InvariantCulture),
            unit.Success ? byte.Parse(unit.Groups[1].Value, CultureInfo.InvariantCulture) : (byte)1);
    }

    [GeneratedRegex(@"\bendpoint=([^\s:]+):(\d+)")]
    private static partial Regex Endpoint();

    [GeneratedRegex(@"\bunit(?:-?id)?=(\d+)")]
    private static partial Regex Unit();

    [GeneratedRegex(@"\b(?:name|device)=(\S+)")]
    private static partial Regex NameField();
}
