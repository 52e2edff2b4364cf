namespace Nexwatt.HardwareSim.Devices.Battery;

/// <summary>
/// A charge/discharge command of SunSpec model 124: StorCtl_Mod bit 0 (CHARGE) enables InWRte, bit 1
/// (DISCHARGE) enables OutWRte. Both rates are percentages of WChaMax here (the model names a WDisChaMax
/// for OutWRte that model 124 itself does not carry). With both bits set the rates net out.
/// </summary>
internal readonly record struct BatteryCommand(bool Charge, bool Discharge, double InPercent, double OutPercent)
{
    public static BatteryCommand Idle { get; } = new(false, false, 0, 0);

    public bool IsIdle => !Charge && !Discharge;

    /// <summary>Requested terminal power, positive to charge, before limits.</summary>
    public double SetpointWatts(double maxChargeWatts)
        => ((Charge ? InPercent : 0) - (Discharge ? OutPercent : 0)) / 100.0 * maxChargeWatts;
}
