namespace Nexwatt.HardwareSim.Devices.Inverter;

/// <summary>
/// The immediate controls of SunSpec model 123 that the simulated inverter obeys: the active power
/// limit (WMaxLimPct with WMaxLim_Ena and WMaxLimPct_RvrtTms) and connect/disconnect (Conn with
/// Conn_RvrtTms). Defaults are the uncommanded behaviour: connected, full output.
/// </summary>
internal sealed class InverterControls
{
    /// <summary>Power limit in percent of WMax, or null when the limit is disabled.</summary>
    public RevertibleSetting<double?> LimitPercent { get; } = new(null);

    public RevertibleSetting<bool> Connected { get; } = new(true);

    /// <summary>Applies reverts that are due; true when something reverted and registers must follow.</summary>
    public bool RevertIfDue(DateTimeOffset now) => LimitPercent.RevertIfDue(now) | Connected.RevertIfDue(now);

    /// <summary>The AC output ceiling in watts under the current commands.</summary>
    public double OutputCeilingWatts(double maxWatts)
    {
        if (!Connected.Value) return 0;
        return LimitPercent.Value is { } pct ? maxWatts * Math.Clamp(pct, 0, 100) / 100.0 : maxWatts;
    }

    public string Describe()
    {
        var parts = new List<string>();
        if (!Connected.Value) parts.Add("disconnected");
        if (LimitPercent.Value is { } pct) parts.Add($"limit {pct:0.#}%");
        if ((LimitPercent.RevertAt ?? Connected.RevertAt) is not null) parts.Add("(reverts)");
        return parts.Count == 0 ? "-" : string.Join(' ', parts);
    }
}
