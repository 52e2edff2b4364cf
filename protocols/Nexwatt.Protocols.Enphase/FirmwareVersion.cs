using System.Globalization;

namespace Nexwatt.Protocols.Enphase;

/// <summary>
/// The gateway firmware as /info's &lt;software&gt; gives it with its one-letter build prefix dropped
/// ("D8.2.4264" → 8.2.4264). Compared numerically part by part, missing parts counting as 0.
/// </summary>
public sealed record FirmwareVersion(int Major, int Minor, int Build) : IComparable<FirmwareVersion>
{
    /// <summary>From this version on the gateway speaks HTTPS with JWT bearer tokens (pyenphase AUTH_TOKEN_MIN_VERSION).</summary>
    public static readonly FirmwareVersion TokenAuth = new(7, 0, 0);

    /// <summary>Ensemble (IQ Battery, System Controller) endpoints exist from here.</summary>
    public static readonly FirmwareVersion Ensemble = new(5, 0, 0);

    /// <summary>From here a metered gateway without CTs may stall on /api/v1/production.</summary>
    public static readonly FirmwareVersion ApiV1ProductionStalls = new(8, 2, 4264);

    public string Text { get; init; } = $"{Major}.{Minor}.{Build}";

    /// <summary>Parses "D8.2.4264", "R3.9.36" or "7.6.175"; throws <see cref="FormatException"/> naming the text.</summary>
    public static FirmwareVersion Parse(string software)
    {
        var text = software.Trim();
        if (text.Length > 0 && char.IsLetter(text[0])) text = text[1..];
        var parts = text.Split('.');
        if (parts.Length is < 1 or > 4 || parts[0].Length == 0)
            throw new FormatException($"firmware '{software}' is not of the form [letter]major.minor.build");
        var numbers = new int[3];
        for (var i = 0; i < Math.Min(parts.Length, 3); i++)
        {
            // Some builds append a suffix to the last part ("7.6.175_rel"); the leading digits are the number.
            var digits = new string(parts[i].TakeWhile(char.IsDigit).ToArray());
            if (digits.Length == 0 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
                throw new FormatException($"firmware '{software}' is not of the form [letter]major.minor.build");
        }
        return new FirmwareVersion(numbers[0], numbers[1], numbers[2]) { Text = text };
    }

    public int CompareTo(FirmwareVersion? other) => other is null ? 1
        : (Major, Minor, Build).CompareTo((other.Major, other.Minor, other.Build));

    public static bool operator >=(FirmwareVersion a, FirmwareVersion b) => a.CompareTo(b) >= 0;
    public static bool operator <=(FirmwareVersion a, FirmwareVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >(FirmwareVersion a, FirmwareVersion b) => a.CompareTo(b) > 0;
    public static bool operator <(FirmwareVersion a, FirmwareVersion b) => a.CompareTo(b) < 0;

    public override string ToString() => Text;
}
