using System.Collections.Frozen;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Normalization;

/// <summary>The physical quantity a unit string measures; a reading converts only within its dimension.</summary>
internal enum UnitDimension
{
    ActivePower,
    ReactivePower,
    ApparentPower,
    Energy,
    Percent,
    Frequency,
    Voltage,
    Current,
}

/// <summary>
/// Unit strings as devices and SunSpec models spell them (W, kW, Wh, var, VA, %WHRtg, % AhrRtg, Pct, Hz, V, A),
/// case and spacing tolerant, to the factor that turns a value into the canonical unit of its dimension.
/// </summary>
internal static class UnitConversion
{
    // Keys are lower case with every space removed, so "% AhrRtg", "%WHRtg" and "kVAr" all match.
    // "mw" / "mwh" / "mvar" / "mva" mean mega, never milli: no energy device reports milliwatts, and the
    // case-tolerant lookup cannot tell "mW" from "MW".
    private static readonly FrozenDictionary<string, (UnitDimension Dimension, double Factor)> Units =
        new Dictionary<string, (UnitDimension, double)>
        {
            ["w"] = (UnitDimension.ActivePower, 1),
            ["kw"] = (UnitDimension.ActivePower, 1e3),
            ["mw"] = (UnitDimension.ActivePower, 1e6),
            ["wh"] = (UnitDimension.Energy, 1),
            ["kwh"] = (UnitDimension.Energy, 1e3),
            ["mwh"] = (UnitDimension.Energy, 1e6),
            ["var"] = (UnitDimension.ReactivePower, 1),
            ["kvar"] = (UnitDimension.ReactivePower, 1e3),
            ["mvar"] = (UnitDimension.ReactivePower, 1e6),
            ["va"] = (UnitDimension.ApparentPower, 1),
            ["kva"] = (UnitDimension.ApparentPower, 1e3),
            ["mva"] = (UnitDimension.ApparentPower, 1e6),
            // SunSpec spells percentages several ways: "%" and "Pct" (model 713), "%WHRtg" (model 802 SoC),
            // "% AhrRtg" (model 124 ChaState). All are already 0..100, so the factor is 1.
            ["%"] = (UnitDimension.Percent, 1),
            ["pct"] = (UnitDimension.Percent, 1),
            ["percent"] = (UnitDimension.Percent, 1),
            ["%whrtg"] = (UnitDimension.Percent, 1),
            ["%ahrrtg"] = (UnitDimension.Percent, 1),
            ["hz"] = (UnitDimension.Frequency, 1),
            ["v"] = (UnitDimension.Voltage, 1),
            ["kv"] = (UnitDimension.Voltage, 1e3),
            ["a"] = (UnitDimension.Current, 1),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The dimension a canonical measurement is expressed in.</summary>
    public static UnitDimension DimensionOf(Measurement measurement) => measurement switch
    {
        Measurement.ActivePowerW or Measurement.DcPowerW => UnitDimension.ActivePower,
        Measurement.ReactivePowerVar => UnitDimension.ReactivePower,
        Measurement.ApparentPowerVa => UnitDimension.ApparentPower,
        Measurement.EnergyExportedWh or Measurement.EnergyImportedWh => UnitDimension.Energy,
        Measurement.StateOfChargePct => UnitDimension.Percent,
        Measurement.FrequencyHz => UnitDimension.Frequency,
        Measurement.VoltageV => UnitDimension.Voltage,
        Measurement.CurrentA => UnitDimension.Current,
        _ => throw new ArgumentOutOfRangeException(nameof(measurement), measurement, "Unknown measurement."),
    };

    /// <summary>Parses a unit string; false when it is not one the collector knows.</summary>
    public static bool TryParse(string? unit, out UnitDimension dimension, out double factor)
    {
        var key = Normalize(unit);
        if (key.Length > 0 && Units.TryGetValue(key, out var entry))
        {
            (dimension, factor) = entry;
            return true;
        }
        (dimension, factor) = (default, 0);
        return false;
    }

    /// <summary>
    /// The factor that converts a value in <paramref name="unit"/> to the canonical unit of
    /// <paramref name="measurement"/>; false when the unit is unknown or of another dimension (a kWh reading
    /// can never become watts). An empty unit means the model's declared unit, which the mapping table supplies.
    /// </summary>
    public static bool TryGetFactor(string? unit, string declaredUnit, Measurement measurement, out double factor)
    {
        var effective = string.IsNullOrWhiteSpace(unit) ? declaredUnit : unit;
        if (TryParse(effective, out var dimension, out factor) && dimension == DimensionOf(measurement)) return true;
        factor = 0;
        return false;
    }

    private static string Normalize(string? unit) =>
        unit is null ? "" : string.Concat(unit.Where(c => !char.IsWhiteSpace(c))).ToLowerInvariant();
}
