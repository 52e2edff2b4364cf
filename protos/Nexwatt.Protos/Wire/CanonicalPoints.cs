namespace Nexwatt.Protos;

/// <summary>
/// How readings of devices that are not SunSpec (Enphase gateways, register-map devices) travel: model id 0, the
/// point named after the collector's canonical measurement, the value already in that measurement's unit and in the
/// project's one sign convention (export and discharge positive, import and charge negative). The agent's source
/// does the conversion once, where the device's own convention is known; the collector maps these points one to one.
/// A device that stands for several meters (a gateway's production, consumption and grid CTs, each battery) reports
/// each as its own device id, so each is an asset with one value per measurement.
/// </summary>
public static class CanonicalPoints
{
    /// <summary>The model id of canonical readings (no SunSpec model has id 0).</summary>
    public const uint ModelId = 0;

    /// <summary>Active power at the device's AC terminals, W; export / discharge positive.</summary>
    public const string ActivePowerW = "ActivePowerW";

    /// <summary>Reactive power, var; positive when the device injects.</summary>
    public const string ReactivePowerVar = "ReactivePowerVar";

    /// <summary>Apparent power, VA.</summary>
    public const string ApparentPowerVa = "ApparentPowerVa";

    /// <summary>Lifetime energy exported (produced, discharged), Wh.</summary>
    public const string EnergyExportedWh = "EnergyExportedWh";

    /// <summary>Lifetime energy imported (consumed, charged, drawn from the grid), Wh; a register that only grows.</summary>
    public const string EnergyImportedWh = "EnergyImportedWh";

    /// <summary>Battery state of charge, percent of usable capacity.</summary>
    public const string StateOfChargePct = "StateOfChargePct";

    /// <summary>Grid frequency, Hz.</summary>
    public const string FrequencyHz = "FrequencyHz";

    /// <summary>Voltage line to neutral (phase A or the single phase), V.</summary>
    public const string VoltageV = "VoltageV";

    /// <summary>Total AC current, A.</summary>
    public const string CurrentA = "CurrentA";

    /// <summary>DC power from the array, W.</summary>
    public const string DcPowerW = "DcPowerW";

    /// <summary>The unit each canonical point is sent in.</summary>
    public static IReadOnlyDictionary<string, string> Units { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ActivePowerW] = "W",
        [ReactivePowerVar] = "var",
        [ApparentPowerVa] = "VA",
        [EnergyExportedWh] = "Wh",
        [EnergyImportedWh] = "Wh",
        [StateOfChargePct] = "Pct",
        [FrequencyHz] = "Hz",
        [VoltageV] = "V",
        [CurrentA] = "A",
        [DcPowerW] = "W",
    };
}
