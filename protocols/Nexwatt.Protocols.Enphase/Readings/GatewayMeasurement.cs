namespace Nexwatt.Protocols.Enphase.Readings;

/// <summary>What a gateway measurement is; the names are the project's canonical measurement names.</summary>
public enum Quantity
{
    ActivePowerW,
    ReactivePowerVar,
    ApparentPowerVa,
    EnergyExportedWh,
    EnergyImportedWh,
    StateOfChargePct,
    FrequencyHz,
    VoltageV,
    CurrentA,
    PowerFactor,
}

/// <summary>
/// One value of one sub-device of a gateway ("production", "grid-L1", "battery-122035013273", "inverter-482243033113")
/// in the project's one sign convention (export and discharge positive, import and charge negative), stamped with the
/// gateway's own time for it. A null value is one the firmware does not provide: not implemented, never 0.
/// </summary>
public sealed record GatewayMeasurement(string SubDevice, Quantity Quantity, double? Value, DateTimeOffset Timestamp)
{
    public string Unit => UnitOf(Quantity);

    public static string UnitOf(Quantity quantity) => quantity switch
    {
        Quantity.ActivePowerW => "W",
        Quantity.ReactivePowerVar => "var",
        Quantity.ApparentPowerVa => "VA",
        Quantity.EnergyExportedWh or Quantity.EnergyImportedWh => "Wh",
        Quantity.StateOfChargePct => "Pct",
        Quantity.FrequencyHz => "Hz",
        Quantity.VoltageV => "V",
        Quantity.CurrentA => "A",
        Quantity.PowerFactor => "",
        _ => throw new ArgumentOutOfRangeException(nameof(quantity), quantity, null),
    };
}

/// <summary>The sub-device names a gateway reports, in one place.</summary>
public static class SubDevices
{
    public const string Production = "production";
    public const string Consumption = "consumption";
    public const string Grid = "grid";
    public const string StorageMeter = "storage-ct";
    public const string Batteries = "battery";
    public const string AcBatteries = "acb";

    public static string Phase(string subDevice, int phaseIndex) => $"{subDevice}-L{phaseIndex + 1}";
    public static string Battery(string serial) => $"battery-{serial}";
    public static string Inverter(string serial) => $"inverter-{serial}";
}
