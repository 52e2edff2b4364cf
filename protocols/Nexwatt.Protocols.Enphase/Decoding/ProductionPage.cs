using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Nexwatt.Protocols.Enphase.Decoding;

/// <summary>
/// The 3.x HTML /production page, the only production source of firmware that has neither /production.json nor
/// /api/v1/production: "Currently 6.63 kW … Since Installation 133 MWh" as text with a unit prefix.
/// </summary>
public static partial class ProductionPage
{
    public const string Endpoint = "/production";

    /// <summary>Current power (W) and lifetime energy (Wh) as the page shows them, rounded as the page rounds.</summary>
    public static ApiV1Production Decode(ReadOnlySpan<byte> body)
    {
        if (!ResponsePage.LooksLikeHtml(body))
            throw new EnphaseFormatException(Endpoint, "not an HTML page");
        var text = TagPattern().Replace(Encoding.Latin1.GetString(body), " ");
        text = SpacePattern().Replace(text, " ");
        return new ApiV1Production(Value(text, "Currently", "W"), Value(text, "Today", "Wh"), Value(text, "Past Week", "Wh"),
            Value(text, "Since Installation", "Wh") ?? throw new EnphaseFormatException(Endpoint, "no 'Since Installation' value on the page"));
    }

    private static double? Value(string text, string label, string unit)
    {
        var match = Regex.Match(text, $@"{Regex.Escape(label)}\s+([0-9]+(?:\.[0-9]+)?)\s*([kMG]?){unit}\b", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        if (!match.Success) return null;
        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return number * match.Groups[2].Value switch { "k" => 1e3, "M" => 1e6, "G" => 1e9, _ => 1 };
    }

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex SpacePattern();
}
