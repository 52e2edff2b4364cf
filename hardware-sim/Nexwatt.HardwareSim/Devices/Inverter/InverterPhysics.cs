using Nexwatt.HardwareSim.Physics;

namespace Nexwatt.HardwareSim.Devices.Inverter;

/// <summary>
/// The electrical state of a grid-tied PV inverter, advanced in small time steps: array DC power from the
/// clear sky, conversion losses, the commanded ceiling, and the energy counters that integrate it.
/// </summary>
internal sealed class InverterPhysics
{
    /// <summary>DC/AC ratio: arrays are oversized so the inverter clips on the best days, as real sites do.</summary>
    public const double DcToAcRatio = 1.1;

    public const double Efficiency = 0.97;

    /// <summary>Below this DC power the inverter cannot run its own electronics and sleeps.</summary>
    public const double WakeUpDcWatts = 20;

    private readonly ClearSky _sky;
    private readonly PvArrayModel _array;

    public InverterPhysics(double ratedAcWatts, ClearSky sky)
    {
        RatedAcWatts = ratedAcWatts;
        MaxWatts = ratedAcWatts;
        _sky = sky;
        _array = new PvArrayModel(ratedAcWatts * DcToAcRatio);
    }

    public double RatedAcWatts { get; }

    /// <summary>The WMax setting (model 121); the limit percentages refer to it.</summary>
    public double MaxWatts { get; set; }

    public double IrradianceWattsPerSquareMetre { get; private set; }
    public double AmbientCelsius { get; private set; }
    public double CellCelsius { get; private set; }
    public double AvailableDcWatts { get; private set; }

    /// <summary>What the inverter could feed in without commands (model 122 WAval).</summary>
    public double AvailableAcWatts { get; private set; }

    public double AcWatts { get; private set; }
    public double DcWatts { get; private set; }

    /// <summary>Total AC energy fed in, Wh (model 103 WH, 122 ActWh).</summary>
    public double AcEnergyWattHours { get; private set; }

    /// <summary>DC energy from the array, Wh (model 160 DCWH).</summary>
    public double DcEnergyWattHours { get; private set; }

    public bool IsThrottled { get; private set; }

    public bool IsSleeping => AvailableDcWatts < WakeUpDcWatts;

    /// <summary>Advances by <paramref name="seconds"/> starting at <paramref name="at"/>.</summary>
    public void Step(DateTimeOffset at, double seconds, double ceilingWatts)
    {
        IrradianceWattsPerSquareMetre = _sky.IrradianceWattsPerSquareMetre(at);
        AmbientCelsius = _sky.AmbientCelsius(at);
        CellCelsius = PvArrayModel.CellCelsius(IrradianceWattsPerSquareMetre, AmbientCelsius);
        AvailableDcWatts = _array.DcWatts(IrradianceWattsPerSquareMetre, AmbientCelsius);
        AvailableAcWatts = IsSleeping ? 0 : Math.Min(AvailableDcWatts * Efficiency, MaxWatts);
        AcWatts = Math.Min(AvailableAcWatts, Math.Max(0, ceilingWatts));
        // The MPPT moves off the maximum power point when throttled, so DC follows AC.
        DcWatts = AcWatts / Efficiency;
        IsThrottled = AcWatts < AvailableAcWatts - 0.5;
        AcEnergyWattHours += AcWatts * seconds / 3600.0;
        DcEnergyWattHours += DcWatts * seconds / 3600.0;
    }
}
