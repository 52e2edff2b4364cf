namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>
/// What the limit checks need to know of one device, read fresh from it just before a setpoint is applied.
/// Null members were not available (the model is missing or the point is not implemented).
/// </summary>
internal sealed record DeviceControlState(
    string DeviceId,
    bool HasStorageControls,
    bool HasCurtailmentControls,
    double? RatingWatts,
    double? StateOfChargePercent,
    double? ReservePercent)
{
    /// <summary>Why a device without storage controls has none, in words for the answer (default: no SunSpec 124).</summary>
    public string? NoStorageControlReason { get; init; }

    /// <summary>Why a device without a rating has none, in words for the answer (default: SunSpec WChaMax not stated).</summary>
    public string? NoRatingReason { get; init; }

    /// <summary>The device drops a setpoint not written again within this (shorter than the agent's re-assert interval).</summary>
    public TimeSpan? ReassertWithin { get; init; }
}

/// <summary>What the agent will write to one device: battery power (model 124) or an export limit (model 123).</summary>
internal sealed record PlannedTarget(string DeviceId, TargetKind Kind, double Watts, double ExportLimitPercent)
{
    /// <summary>The subscriber's reserve sent with the target: a discharge stops when the state of charge reaches it.</summary>
    public double? MinStateOfChargePercent { get; init; }

    /// <summary>From the device's state: it must be written again at least this often (null: the agent's interval will do).</summary>
    public TimeSpan? ReassertWithin { get; init; }

    public static PlannedTarget Power(string deviceId, double watts, double? minStateOfChargePercent = null)
        => new(deviceId, TargetKind.BatteryPower, watts, 0) { MinStateOfChargePercent = minStateOfChargePercent };

    public static PlannedTarget ExportLimit(string deviceId, double percent) => new(deviceId, TargetKind.ExportLimit, 0, percent);
}

internal enum TargetKind
{
    /// <summary>SunSpec 124 storage controls; watts positive = discharge.</summary>
    BatteryPower,

    /// <summary>SunSpec 123 WMaxLimPct: PV curtailment.</summary>
    ExportLimit,
}
