using System.Globalization;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>
/// The agent's own limits, checked before any write: the site's configured totals (a breach rejects the whole
/// setpoint) and, per target, the device's controls, rating and reserve (a breach rejects that target only).
/// Pure: the device state is read by the caller.
/// </summary>
internal static class DispatchLimits
{
    /// <summary>Storage control model; battery power targets need it.</summary>
    public const ushort StorageModel = 124;

    /// <summary>Immediate controls model; export limit targets need it.</summary>
    public const ushort ControlsModel = 123;

    /// <summary>The reason the whole setpoint breaks a site limit, or null when it does not.</summary>
    public static string? CheckSite(Setpoint setpoint, DispatchOptions options)
    {
        var discharge = setpoint.Targets.Where(t => !t.HasExportLimitPct && t.ActivePowerW > 0).Sum(t => t.ActivePowerW);
        var charge = -setpoint.Targets.Where(t => !t.HasExportLimitPct && t.ActivePowerW < 0).Sum(t => t.ActivePowerW);
        if (options.MaxSiteDischargeW is { } maxDischarge && discharge > maxDischarge)
            return Invariant($"site discharge {discharge:0.#} W exceeds the site limit {maxDischarge:0.#} W");
        if (options.MaxSiteChargeW is { } maxCharge && charge > maxCharge)
            return Invariant($"site charge {charge:0.#} W exceeds the site limit {maxCharge:0.#} W");
        return null;
    }

    /// <summary>True when a held discharge has brought the device down to the subscriber's reserve: it must stop.</summary>
    public static bool ReachedReserve(PlannedTarget target, DeviceControlState? state)
        => target is { Kind: TargetKind.BatteryPower, Watts: > 0, MinStateOfChargePercent: { } floor }
            && state?.StateOfChargePercent is { } soc && soc <= floor;

    /// <summary>What to write for <paramref name="target"/>, or the reason it is rejected.</summary>
    /// <param name="state">The device as read just now; null when no such device was discovered.</param>
    public static (PlannedTarget? Plan, string? Reason) CheckTarget(SetpointTarget target, DeviceControlState? state)
    {
        if (state is null) return (null, $"unknown device {target.DeviceId}");
        if (target.HasExportLimitPct)
        {
            if (!state.HasCurtailmentControls) return (null, $"device {target.DeviceId} has no export limit control (SunSpec {ControlsModel})");
            if (double.IsNaN(target.ExportLimitPct) || target.ExportLimitPct is < 0 or > 100)
                return (null, Invariant($"export limit {target.ExportLimitPct} % is outside 0-100 %"));
            return (PlannedTarget.ExportLimit(target.DeviceId, target.ExportLimitPct), null);
        }

        var watts = target.ActivePowerW;
        if (!double.IsFinite(watts)) return (null, "active power is not a number");
        if (!state.HasStorageControls) return (null, state.NoStorageControlReason ?? $"device {target.DeviceId} has no storage control (SunSpec {StorageModel})");
        if (state.RatingWatts is not > 0) return (null, state.NoRatingReason ?? $"device {target.DeviceId} does not state its rating (WChaMax)");
        if (Math.Abs(watts) > state.RatingWatts.Value + 0.5)
            return (null, Invariant($"exceeds rating {state.RatingWatts.Value:0.#} W"));
        if (watts > 0 && state.StateOfChargePercent is { } soc && state.ReservePercent is { } reserve && soc <= reserve)
            return (null, Invariant($"at reserve (state of charge {soc:0.#} % <= reserve {reserve:0.#} %)"));
        double? subscriberReserve = target.HasMinSocPct ? target.MinSocPct : null;
        if (subscriberReserve is { } floor && (!double.IsFinite(floor) || floor is < 0 or > 100))
            return (null, Invariant($"subscriber reserve {floor} % is outside 0-100 %"));
        if (watts > 0 && subscriberReserve is { } promised && state.StateOfChargePercent is { } charge && charge <= promised)
            return (null, Invariant($"at the subscriber's reserve (state of charge {charge:0.#} % <= {promised:0.#} %)"));
        return (PlannedTarget.Power(target.DeviceId, watts, subscriberReserve), null);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
