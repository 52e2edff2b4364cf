using Nexwatt.Collector.Domain;
using Nexwatt.Protos;

namespace Nexwatt.Collector.Normalization;

/// <summary>
/// Which SunSpec (model, point) feeds which canonical measurement, with its unit and sign: data, not branches.
/// Rows of one measurement are in priority order: in each device poll the first row with a good value wins
/// and later rows are superseded, so a battery that serves both model 103 W (AC) and model 802 W (DC) yields one
/// active-power sample, the AC one. Model descriptions: /work/shared/reference/sunspec/models/model_*.json.
/// </summary>
internal static class PointMappingTable
{
    // Single-phase, split-phase and three-phase inverters, integer (101-103) and float (111-113) encodings:
    // the same point names and meanings.
    private static readonly ushort[] Inverter = [101, 102, 103, 111, 112, 113];
    private static readonly ushort[] DerMeasureAc = [701];
    private static readonly ushort[] Battery = [802];

    private const string InverterSign =
        "model 10x/11x 'AC Power'; an inverter reports export positive, and hardware-sim's battery serves 103 W positive = discharge";

    /// <summary>All rows, grouped by measurement, each group in priority order.</summary>
    public static IReadOnlyList<PointMapping> Rows { get; } =
    [
        // Active power, W, export / discharge positive.
        new(Measurement.ActivePowerW, Inverter, ["W"], "W", +1, InverterSign),
        new(Measurement.ActivePowerW, DerMeasureAc, ["W"], "W", +1,
            "model 701 W: 'positive for DER generation and negative for absorption'"),
        new(Measurement.ActivePowerW, DerMeasureAc, ["WL1", "WL2", "WL3"], "W", +1,
            "model 701 WL1-3 per phase, same sign as W; summed only when W is absent"),
        // Model 802 W is 'Total power flowing to/from the battery bank' (a DC measurement) and the model states
        // no sign. We read it as discharge positive, as hardware-sim writes it (BatteryRegisterWriter), and use it
        // only when the battery has no AC power point: DC power ignores converter losses.
        new(Measurement.ActivePowerW, Battery, ["W"], "W", +1,
            "model 802 W, DC, sign unstated by SunSpec: taken as discharge positive (hardware-sim convention)"),

        // Reactive power, var, positive when injecting (the devices' own convention).
        new(Measurement.ReactivePowerVar, Inverter, ["VAr"], "var", +1, "model 10x/11x 'AC Reactive Power'"),
        new(Measurement.ReactivePowerVar, DerMeasureAc, ["Var"], "var", +1, "model 701 'Total reactive power'"),
        new(Measurement.ReactivePowerVar, DerMeasureAc, ["VarL1", "VarL2", "VarL3"], "var", +1, "model 701 per phase, summed"),

        // Apparent power, VA.
        new(Measurement.ApparentPowerVa, Inverter, ["VA"], "VA", +1, "model 10x/11x 'AC Apparent Power'"),
        new(Measurement.ApparentPowerVa, DerMeasureAc, ["VA"], "VA", +1, "model 701 'Total apparent power'"),
        new(Measurement.ApparentPowerVa, DerMeasureAc, ["VAL1", "VAL2", "VAL3"], "VA", +1, "model 701 per phase, summed"),

        // Lifetime exported energy, Wh.
        new(Measurement.EnergyExportedWh, Inverter, ["WH"], "Wh", +1,
            "model 10x/11x 'AC Energy' (hardware-sim battery: energy discharged)"),
        new(Measurement.EnergyExportedWh, DerMeasureAc, ["TotWhInj"], "Wh", +1,
            "model 701 'Total active energy injected (Quadrants 1 & 4)'"),

        // State of charge, %: the battery's own SoC first (percent of WHRtg), then model 713, then model 124
        // ChaState, which is a percent of the amp-hour rating and so the least comparable across vendors.
        new(Measurement.StateOfChargePct, Battery, ["SoC"], "%WHRtg", +1, "model 802 'State of charge', %WHRtg"),
        new(Measurement.StateOfChargePct, [713], ["SoC"], "Pct", +1, "model 713 'State of charge of the DER storage'"),
        new(Measurement.StateOfChargePct, [124], ["ChaState"], "% AhrRtg", +1,
            "model 124 'Currently available energy as a percent of the capacity rating'"),

        // Frequency, Hz.
        new(Measurement.FrequencyHz, Inverter, ["Hz"], "Hz", +1, "model 10x/11x 'Line Frequency'"),
        new(Measurement.FrequencyHz, DerMeasureAc, ["Hz"], "Hz", +1, "model 701 'AC frequency'"),

        // Voltage, V, line to neutral: phase A (the only phase of a single-phase inverter), else 701's L1 or
        // its average of active phases.
        new(Measurement.VoltageV, Inverter, ["PhVphA"], "V", +1, "model 10x/11x 'Phase Voltage AN'"),
        new(Measurement.VoltageV, DerMeasureAc, ["VL1"], "V", +1, "model 701 'Phase voltage L1-N'"),
        new(Measurement.VoltageV, DerMeasureAc, ["LNV"], "V", +1, "model 701 'Line to neutral AC voltage as an average of active phases'"),

        // Total AC current, A: the total when served, else the sum of the phases.
        new(Measurement.CurrentA, Inverter, ["A"], "A", +1, "model 10x/11x 'AC Current' (total)"),
        new(Measurement.CurrentA, Inverter, ["AphA", "AphB", "AphC"], "A", +1, "model 10x/11x phase currents, summed"),
        new(Measurement.CurrentA, DerMeasureAc, ["A"], "A", +1, "model 701 'Total AC current'"),
        new(Measurement.CurrentA, DerMeasureAc, ["AL1", "AL2", "AL3"], "A", +1, "model 701 phase currents, summed"),

        // DC power from the array, W: the inverter's total, else the sum of the MPPT modules.
        new(Measurement.DcPowerW, Inverter, ["DCW"], "W", +1, "model 10x/11x 'DC Power'"),
        new(Measurement.DcPowerW, [160], ["module[*].DCW"], "W", +1, "model 160 per-MPPT DC power, summed"),

        // Canonical points (model 0) of devices that are not SunSpec: converted and signed by the agent's source.
        .. Enum.GetValues<Measurement>().Select(m => new PointMapping(m, [Canonical], [m.ToString()], CanonicalPoints.Units[m.ToString()], +1,
            "canonical point (Nexwatt.Protos.CanonicalPoints): already in the measurement's unit and sign convention")),
    ];

    private const ushort Canonical = (ushort)CanonicalPoints.ModelId;
}
