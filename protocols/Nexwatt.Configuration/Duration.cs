using System.Globalization;

namespace Nexwatt.Configuration;

/// <summary>
/// Durations as people type them, on a command line or in a configuration file: "500ms", "2s", "1.5m", "1h", or the
/// .NET form "00:00:02". A bare number other than 0 is refused: TimeSpan reads "5" as five days, which nobody
/// writing a poll interval or a timeout means.
/// </summary>
public static class Duration
{
    /// <summary>The accepted forms, for error messages.</summary>
    public const string ExpectedForm = "a duration such as '500ms', '5s', '1.5m', '1h' or '00:00:05'";

    private static readonly (string Suffix, double Scale)[] Units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)];

    public static bool TryParse(string text, out TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        foreach (var (suffix, scale) in Units)
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && IsPlainNumber(text[..^suffix.Length])
                && double.TryParse(text[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
                && double.IsFinite(number * scale) && number * scale <= TimeSpan.MaxValue.TotalMilliseconds)
            {
                value = TimeSpan.FromMilliseconds(number * scale);
                return true;
            }
        value = default;
        if (IsPlainNumber(text) && text.Any(c => c is >= '1' and <= '9')) return false;
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    /// <summary>True for a bare number such as "5" or "2.5": a duration without its unit.</summary>
    public static bool LacksUnit(string text) => IsPlainNumber(text.Trim()) && text.Any(c => c is >= '1' and <= '9');

    // ASCII digits and one point only: "1e3s", "٥s" (Unicode digits) and " 5 s" are not durations.
    private static bool IsPlainNumber(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiDigit(c) || c == '.') && text.Count(c => c == '.') <= 1 && text != ".";
}
