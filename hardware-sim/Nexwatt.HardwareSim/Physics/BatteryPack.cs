namespace Nexwatt.HardwareSim.Physics;

/// <summary>
/// Energy bookkeeping of a battery: state of charge integrates terminal power with one-way losses
/// on charge and on discharge, within SoC and power limits. Power is positive when charging.
/// Not thread-safe: the owning device serializes access.
/// </summary>
internal sealed class BatteryPack
{
    public BatteryPack(double capacityWattHours, double initialSocPercent, double chargeEfficiency = 0.95, double dischargeEfficiency = 0.95)
    {
        if (capacityWattHours <= 0) throw new ArgumentOutOfRangeException(nameof(capacityWattHours));
        if (chargeEfficiency is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(chargeEfficiency));
        if (dischargeEfficiency is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(dischargeEfficiency));
        CapacityWattHours = capacityWattHours;
        StoredWattHours = capacityWattHours * Math.Clamp(initialSocPercent, 0, 100) / 100.0;
        ChargeEfficiency = chargeEfficiency;
        DischargeEfficiency = dischargeEfficiency;
    }

    public double CapacityWattHours { get; }

    public double ChargeEfficiency { get; }

    public double DischargeEfficiency { get; }

    /// <summary>Chemical energy stored, Wh.</summary>
    public double StoredWattHours { get; private set; }

    public double SocPercent => StoredWattHours / CapacityWattHours * 100.0;

    /// <summary>Energy taken in at the terminals since start, Wh.</summary>
    public double ChargedWattHours { get; private set; }

    /// <summary>Energy delivered at the terminals since start, Wh.</summary>
    public double DischargedWattHours { get; private set; }

    /// <summary>
    /// Runs <paramref name="requestedWatts"/> (positive = charge) for <paramref name="seconds"/>, stopping at
    /// <paramref name="socMaxPercent"/> when charging and at <paramref name="socFloorPercent"/> when discharging.
    /// Returns the average terminal power actually achieved over the interval.
    /// </summary>
    public double Run(double requestedWatts, double seconds, double socFloorPercent, double socMaxPercent)
    {
        if (seconds <= 0 || requestedWatts == 0) return 0;
        var hours = seconds / 3600.0;
        if (requestedWatts > 0)
        {
            var room = Math.Max(0, CapacityWattHours * socMaxPercent / 100.0 - StoredWattHours);
            // Only ChargeEfficiency of the terminal energy reaches the cells.
            var terminal = Math.Min(requestedWatts * hours, room / ChargeEfficiency);
            StoredWattHours += terminal * ChargeEfficiency;
            ChargedWattHours += terminal;
            return terminal / hours;
        }
        else
        {
            var available = Math.Max(0, StoredWattHours - CapacityWattHours * socFloorPercent / 100.0);
            // Delivering E at the terminals drains E / DischargeEfficiency from the cells.
            var terminal = Math.Min(-requestedWatts * hours, available * DischargeEfficiency);
            StoredWattHours -= terminal / DischargeEfficiency;
            DischargedWattHours += terminal;
            return -terminal / hours;
        }
    }
}
