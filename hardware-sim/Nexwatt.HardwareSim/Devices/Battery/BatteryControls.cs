namespace Nexwatt.HardwareSim.Devices.Battery;

/// <summary>
/// The storage controls of SunSpec model 124 that the simulated battery obeys. Uncommanded, the battery idles.
/// </summary>
internal sealed class BatteryControls(double ratedChargeWatts)
{
    /// <summary>StorCtl_Mod + InWRte/OutWRte, reverting to idle after InOutWRte_RvrtTms.</summary>
    public RevertibleSetting<BatteryCommand> Command { get; } = new(BatteryCommand.Idle);

    /// <summary>WChaMax: the charge power ceiling and the reference of InWRte/OutWRte.</summary>
    public double MaxChargeWatts { get; set; } = ratedChargeWatts;

    /// <summary>MinRsvPct: discharge stops at this state of charge.</summary>
    public double ReservePercent { get; set; } = 10;

    /// <summary>ChaGriSet: GRID allows charging from the grid; PV limits charging to the site's PV output.</summary>
    public bool GridChargingAllowed { get; set; } = true;

    public bool RevertIfDue(DateTimeOffset now) => Command.RevertIfDue(now);

    public string Describe()
    {
        var c = Command.Value;
        var parts = new List<string>();
        if (c.Charge) parts.Add($"charge {c.InPercent:0.#}%");
        if (c.Discharge) parts.Add($"discharge {c.OutPercent:0.#}%");
        if (parts.Count == 0) parts.Add("idle");
        if (Command.RevertAt is not null) parts.Add("(reverts)");
        if (ReservePercent > 0) parts.Add($"rsv {ReservePercent:0.#}%");
        if (!GridChargingAllowed) parts.Add("pv-only");
        return string.Join(' ', parts);
    }
}
