using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Dispatch;

// Allocations to setpoint targets: sign from the direction (discharge +, charge −), curtailment as an export limit.
internal sealed partial class DispatchService
{
    /// <summary>Each site's targets, one per allocated device, in device order; assets given 0 kW get no target.</summary>
    internal static Dictionary<string, List<SetpointTarget>> TargetsBySite(DispatchDirection direction, IReadOnlyList<AssetAllocation> assets,
        IReadOnlyList<AllocationCandidate> fleet)
    {
        var byAsset = fleet.ToDictionary(c => c.AssetId, StringComparer.Ordinal);
        var sites = new Dictionary<string, List<SetpointTarget>>(StringComparer.Ordinal);
        foreach (var asset in assets.Where(a => a.Kilowatts > 0).OrderBy(a => a.DeviceId, StringComparer.Ordinal))
        {
            if (!sites.TryGetValue(asset.SiteId, out var targets)) sites[asset.SiteId] = targets = [];
            targets.Add(Target(direction, asset, byAsset.GetValueOrDefault(asset.AssetId)));
        }
        return sites;
    }

    internal static SetpointTarget Target(DispatchDirection direction, AssetAllocation asset, AllocationCandidate? candidate)
    {
        var watts = Math.Round(asset.Kilowatts * 1000, 1);
        return direction switch
        {
            DispatchDirection.Discharge => candidate is null
                ? new SetpointTarget { DeviceId = asset.DeviceId, ActivePowerW = watts }
                : new SetpointTarget { DeviceId = asset.DeviceId, ActivePowerW = watts, MinSocPct = candidate.ReservePct },
            DispatchDirection.Charge => new SetpointTarget { DeviceId = asset.DeviceId, ActivePowerW = -watts },
            // Curtailment cuts PV export by the share: the limit is what remains of the present export, as a
            // percentage of the rating (SunSpec 123 WMaxLimPct); active power is not a target here.
            _ => new SetpointTarget { DeviceId = asset.DeviceId, ActivePowerW = 0, ExportLimitPct = ExportLimitPct(asset, candidate) },
        };
    }

    private static double ExportLimitPct(AssetAllocation asset, AllocationCandidate? candidate)
    {
        var rated = candidate?.RatedKw ?? asset.LimitKw;
        if (rated <= 0) return 0;
        var export = Math.Clamp(candidate?.ActivePowerKw ?? rated, 0, rated);
        return Math.Round(Math.Clamp((export - asset.Kilowatts) / rated * 100, 0, 100), 2);
    }

    internal static List<SetpointTarget> TargetsOf(SetpointRecord setpoint)
    {
        var signed = SignedSetpoint.Parser.ParseFrom(setpoint.Signed.Span);
        return Setpoint.Parser.ParseFrom(signed.Setpoint).Targets.ToList();
    }

    internal static bool SameTargets(IReadOnlyList<SetpointTarget> a, IReadOnlyList<SetpointTarget> b) =>
        a.Count == b.Count && a.OrderBy(t => t.DeviceId, StringComparer.Ordinal).SequenceEqual(b.OrderBy(t => t.DeviceId, StringComparer.Ordinal));
}
