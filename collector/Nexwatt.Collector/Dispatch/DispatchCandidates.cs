using Microsoft.Extensions.Options;
using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Registry;

namespace Nexwatt.Collector.Dispatch;

/// <summary>
/// The allocator's view of a zone's fleet: active assets linked to a site and device, with their latest state of
/// charge and power, whether their site is online, and their program's reserve and maximum state of charge.
/// </summary>
internal sealed class DispatchCandidates(ICollectorStore store, SiteActivity activity, IOptions<DispatchOptions> options)
{
    /// <param name="zone">The zone whose fleet is wanted.</param>
    /// <param name="running">Sites already in the dispatch being re-allocated: online for it is evidence only
    /// (<see cref="SiteActivity.HasEvidence"/>), so that a status alone takes no site out of a running dispatch.</param>
    /// <param name="cancellationToken">Cancels the store reads.</param>
    public async Task<IReadOnlyList<AllocationCandidate>> ForZoneAsync(IsoZone zone, CancellationToken cancellationToken, IReadOnlySet<string>? running = null)
    {
        var settings = options.Value;
        var assets = await store.ListAssetsAsync(null, includeRetired: false, cancellationToken).ConfigureAwait(false);
        var candidates = new List<AllocationCandidate>();
        foreach (var asset in assets)
        {
            if (asset.SiteId is not { Length: > 0 } siteId || asset.DeviceId is not { Length: > 0 } deviceId) continue;
            if (!IsoZone.TryParse(asset.IsoZone, out var own) || !zone.Contains(own)) continue;
            var latest = await store.GetLatestAsync(asset.AssetId, cancellationToken).ConfigureAwait(false);
            var soc = latest.FirstOrDefault(l => l.Measurement == Measurement.StateOfChargePct);
            var power = latest.FirstOrDefault(l => l.Measurement == Measurement.ActivePowerW);
            DateTimeOffset? lastTelemetry = latest.Count == 0 ? null : latest.Max(l => l.SourceTime);
            var program = settings.Program(asset.Program);
            candidates.Add(new AllocationCandidate(asset.AssetId, siteId, deviceId, asset.Type, asset.Program, asset.CapacityKw, asset.StorageKwh,
                soc?.Value, program.ReservePct, program.MaxSocPct, power is null ? null : power.Value / 1000,
                running?.Contains(siteId) == true
                    ? activity.HasEvidence(siteId, settings.SiteSilenceTimeout)
                    : activity.IsOnline(siteId, lastTelemetry, settings.SiteSilenceTimeout)));
        }
        return candidates;
    }

    /// <summary>The zone of a resource: configured, or the resource id itself when it names a zone.</summary>
    public static IsoZone? ZoneOf(string resourceId, DispatchOptions options) =>
        options.Resources.TryGetValue(resourceId, out var resource)
            ? IsoZone.TryParse(resource.IsoZone, out var configured) ? configured : null
            : IsoZone.TryParse(resourceId, out var named) ? named : null;
}
