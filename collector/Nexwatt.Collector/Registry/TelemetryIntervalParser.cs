using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nexwatt.Collector.Registry;

/// <summary>
/// Reads <c>telemetry_interval</c>: a JSON number of seconds, or a string holding a number of seconds, a number
/// with a unit (<c>500ms</c>, <c>5s</c>, <c>1m</c>, <c>1min</c>, <c>1h</c>) or a time span (<c>00:00:05</c>).
/// </summary>
internal static partial class TelemetryIntervalParser
{
    // [0-9], not \d: \d also matches other scripts' digits ("\u0665"), which double.Parse then refuses.
    [GeneratedRegex(@"^(?<n>[0-9]+(\.[0-9]+)?)\s*(?<u>ms|s|sec|m|min|h)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WithUnit();

    public static bool TryParse(JsonElement element, out TimeSpan interval)
    {
        interval = default;
        return element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetDouble(out var seconds) && TryFromSeconds(seconds, out interval),
            JsonValueKind.String => TryParse(element.GetString(), out interval),
            _ => false,
        };
    }

    public static bool TryParse(string? text, out TimeSpan interval)
    {
        interval = default;
        var value = text?.Trim() ?? "";
        if (value.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParseExact(value, "c", CultureInfo.InvariantCulture, out interval) && interval > TimeSpan.Zero;
        }
        var match = WithUnit().Match(value);
        if (!match.Success) return false;
        if (!double.TryParse(match.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
        var scale = match.Groups["u"].Value.ToLowerInvariant() switch
        {
            "ms" => 0.001,
            "m" or "min" => 60,
            "h" => 3600,
            _ => 1,
        };
        return TryFromSeconds(number * scale, out interval);
    }

    private static bool TryFromSeconds(double seconds, out TimeSpan interval)
    {
        interval = default;
        // Bounded well above the one-hour limit so a huge number is reported as out of range, not as an overflow.
        if (!double.IsFinite(seconds) || seconds <= 0 || seconds > 1e9) return false;
        interval = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
