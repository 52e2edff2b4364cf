namespace Nexwatt.HardwareSim.Enphase;

/// <summary>
/// One instant of the simulated site as the gateway measures it. Powers in W, energies in Wh. Gateway signs:
/// production positive when producing, net consumption positive when importing, battery positive when discharging.
/// </summary>
internal sealed record GatewaySnapshot(
    DateTimeOffset Time,
    double ProductionWatts,
    double ConsumptionWatts,
    double NetConsumptionWatts,
    double ProductionWattHours,
    double ProductionTodayWattHours,
    double ConsumptionWattHours,
    double ImportedWattHours,
    double ExportedWattHours,
    double VoltageVolts,
    double FrequencyHertz,
    double PowerFactor,
    int Phases,
    IReadOnlyList<MicroinverterReading> Microinverters,
    IReadOnlyList<BatteryReading> Batteries)
{
    public long Epoch => Time.ToUnixTimeSeconds();

    public double BatteryWatts => Batteries.Sum(b => b.DischargeWatts);

    public double StoredWattHours => Batteries.Sum(b => b.StoredWattHours);

    public double CapacityWattHours => Batteries.Sum(b => b.CapacityWattHours);

    public double AggregateSocPercent => CapacityWattHours > 0 ? StoredWattHours / CapacityWattHours * 100 : 0;
}

internal sealed record MicroinverterReading(string Serial, double Watts, double MaxWatts);

/// <summary>One IQ Battery: power positive when discharging.</summary>
internal sealed record BatteryReading(string Serial, double DischargeWatts, double SocPercent, double StoredWattHours, double CapacityWattHours, double TemperatureCelsius);
