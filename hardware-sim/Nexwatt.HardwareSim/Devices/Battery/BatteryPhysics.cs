using Nexwatt.HardwareSim.Physics;

namespace Nexwatt.HardwareSim.Devices.Battery;

/// <summary>SunSpec charge status (model 124 ChaSt, model 802 ChaSt).</summary>
internal enum ChargeStatus : ushort
{
    Off = 1,
    Empty = 2,
    Discharging = 3,
    Charging = 4,
    Full = 5,
    Holding = 6,
}

/// <summary>
/// A battery with its power converter: clamps the command to the power ratings, the SoC window and the
/// reserve, runs the pack, and derives DC voltage and current. Terminal power is positive when charging.
/// </summary>
internal sealed class BatteryPhysics
{
    public const double SocMinPercent = 5;
    public const double SocMaxPercent = 100;

    /// <summary>Nominal DC bus voltage of the pack: a high-voltage stack, typical of home storage.</summary>
    public const double NominalVolts = 400;

    public BatteryPhysics(double capacityWattHours, double maxChargeWatts, double maxDischargeWatts, double initialSocPercent)
    {
        Pack = new BatteryPack(capacityWattHours, initialSocPercent);
        RatedChargeWatts = maxChargeWatts;
        RatedDischargeWatts = maxDischargeWatts;
    }

    public BatteryPack Pack { get; }
    public double RatedChargeWatts { get; }
    public double RatedDischargeWatts { get; }

    /// <summary>Average terminal power of the last step, positive when charging.</summary>
    public double TerminalWatts { get; private set; }

    public ChargeStatus Status { get; private set; } = ChargeStatus.Holding;

    /// <summary>Open-circuit voltage rises about 10 % across the SoC window, like a lithium-ion stack.</summary>
    public double Volts => NominalVolts * (0.95 + 0.1 * Pack.SocPercent / 100.0);

    public double Amps => Volts > 0 ? TerminalWatts / Volts : 0;

    /// <summary>Advances by <paramref name="seconds"/> under <paramref name="controls"/>; <paramref name="pvWatts"/> caps PV-only charging.</summary>
    public void Step(double seconds, BatteryControls controls, double pvWatts)
    {
        var requested = controls.Command.Value.SetpointWatts(controls.MaxChargeWatts);
        var chargeCeiling = Math.Min(RatedChargeWatts, Math.Max(0, controls.MaxChargeWatts));
        if (!controls.GridChargingAllowed) chargeCeiling = Math.Min(chargeCeiling, Math.Max(0, pvWatts));
        requested = Math.Clamp(requested, -RatedDischargeWatts, chargeCeiling);
        var floor = Math.Max(SocMinPercent, controls.ReservePercent);
        TerminalWatts = Pack.Run(requested, seconds, floor, SocMaxPercent);
        Status = TerminalWatts > 0.5 ? ChargeStatus.Charging
            : TerminalWatts < -0.5 ? ChargeStatus.Discharging
            : Pack.SocPercent >= SocMaxPercent - 0.01 ? ChargeStatus.Full
            : Pack.SocPercent <= SocMinPercent + 0.01 ? ChargeStatus.Empty
            : ChargeStatus.Holding;
    }
}
