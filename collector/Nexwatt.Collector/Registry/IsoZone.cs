using System.Diagnostics.CodeAnalysis;

namespace Nexwatt.Collector.Registry;

/// <summary>The ISOs / RTOs whose DER aggregation telemetry rules the registry knows.</summary>
public enum Iso
{
    /// <summary>California ISO.</summary>
    Caiso,
    /// <summary>PJM Interconnection.</summary>
    Pjm,
    /// <summary>New York ISO.</summary>
    Nyiso,
    /// <summary>ISO New England.</summary>
    IsoNe,
    /// <summary>Electric Reliability Council of Texas.</summary>
    Ercot,
    /// <summary>Midcontinent ISO.</summary>
    Miso,
    /// <summary>Southwest Power Pool.</summary>
    Spp,
}

/// <summary>
/// An ISO zone as registered: the ISO and an optional sub-zone (a load zone, sub-LAP or utility area), written
/// <c>ISO</c> or <c>ISO-SUBZONE</c>, e.g. <c>PJM-DOM</c>, <c>CAISO-SP15</c>, <c>ISO-NE-CT</c>. Case-insensitive.
/// </summary>
public sealed record IsoZone(Iso Iso, string? SubZone)
{
    // Longest names first so "ISO-NE-CT" is ISO-NE with sub-zone CT, never something shorter.
    private static readonly (string Name, Iso Iso)[] Names =
    [
        ("ISO-NE", Iso.IsoNe), ("ISONE", Iso.IsoNe), ("CAISO", Iso.Caiso), ("NYISO", Iso.Nyiso), ("ERCOT", Iso.Ercot),
        ("MISO", Iso.Miso), ("PJM", Iso.Pjm), ("SPP", Iso.Spp),
    ];

    private const int MaximumSubZoneLength = 32;

    /// <summary>The ISO names accepted, as a list for problem messages.</summary>
    public static IReadOnlyList<string> KnownIsos { get; } = ["CAISO", "ERCOT", "ISO-NE", "MISO", "NYISO", "PJM", "SPP"];

    /// <summary>The ISO's canonical name (CAISO, PJM, NYISO, ISO-NE, ERCOT, MISO, SPP).</summary>
    public string IsoName => NameOf(Iso);

    /// <summary>The canonical spelling: upper case, ISO name, then <c>-SUBZONE</c> if any.</summary>
    public override string ToString() => SubZone is null ? IsoName : $"{IsoName}-{SubZone}";

    /// <summary>The canonical name of an ISO.</summary>
    public static string NameOf(Iso iso) => iso switch
    {
        Iso.Caiso => "CAISO",
        Iso.Pjm => "PJM",
        Iso.Nyiso => "NYISO",
        Iso.IsoNe => "ISO-NE",
        Iso.Ercot => "ERCOT",
        Iso.Miso => "MISO",
        Iso.Spp => "SPP",
        _ => throw new ArgumentOutOfRangeException(nameof(iso), iso, "Unknown ISO."),
    };

    /// <summary>Parses a zone; false when no known ISO prefixes it or the sub-zone holds odd characters.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out IsoZone? zone)
    {
        zone = null;
        var value = text?.Trim().ToUpperInvariant();
        if (string.IsNullOrEmpty(value)) return false;
        foreach (var (name, iso) in Names)
        {
            if (!value.StartsWith(name, StringComparison.Ordinal)) continue;
            var rest = value[name.Length..];
            if (rest.Length == 0)
            {
                zone = new IsoZone(iso, null);
                return true;
            }
            // The ISO name must end at a separator: "PJMX" is not PJM.
            if (rest[0] is not ('-' or '_' or '.' or ' ' or '/' or ':')) continue;
            var sub = rest[1..].Trim();
            if (sub.Length is 0 or > MaximumSubZoneLength || !sub.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) return false;
            zone = new IsoZone(iso, sub);
            return true;
        }
        return false;
    }

    /// <summary>
    /// Whether an asset in <paramref name="assetZone"/> belongs to this zone: a bare ISO holds all its sub-zones, a
    /// sub-zone only itself.
    /// </summary>
    public bool Contains(IsoZone assetZone) =>
        assetZone.Iso == Iso && (SubZone is null || string.Equals(SubZone, assetZone.SubZone, StringComparison.Ordinal));
}
