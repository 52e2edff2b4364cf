using System.Globalization;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Dispatch.Allocation;

/// <summary>
/// Splits a dispatch instruction across a fleet. Pure and deterministic: the same request and candidates, in any
/// order, give the same result, to the last 0.1 W.
/// </summary>
/// <remarks>
/// <para>Per asset, a limit in kilowatts (each factor named in <see cref="AssetAllocation.Reason"/>):</para>
/// <list type="bullet">
/// <item>discharge (Battery, SolarPlusStorage): min(rated, (SoC − reserve)% × kWh × margin / window hours); the
/// margin (<see cref="DischargeEnergyMargin"/>) covers conversion losses between cells and AC terminals, so holding
/// the limit for the whole window never takes the battery below its program's reserve;</item>
/// <item>charge (Battery, SolarPlusStorage): min(rated, (max SoC − SoC)% × kWh / window hours); losses only slow
/// the filling, so no margin;</item>
/// <item>curtail (Solar, SolarPlusStorage): min(rated, present export), the most one can cut.</item>
/// </list>
/// <para>The fleet then runs at one common fraction of each limit, min(1, request / Σ limits): assets with more
/// headroom carry more, none goes beyond its limit, and a fleet short of the request gives everything it has and
/// reports the shortfall. Power is counted in integer units of 0.1 W (limits rounded down); the units left by
/// rounding go one each to the largest fractional parts, ties by asset id (ordinal).</para>
/// </remarks>
public sealed class DispatchAllocator
{
    /// <summary>The default <see cref="DischargeEnergyMargin"/>: 95 % of the usable energy reaches the AC side.</summary>
    public const double DefaultDischargeEnergyMargin = 0.95;

    /// <summary>The reason given to assets passed as failed to <see cref="Reallocate"/>.</summary>
    public const string FailedReason = "failed to confirm or dropped out";

    private const double UnitsPerKw = 10_000; // 0.1 W

    /// <summary>Creates an allocator; <paramref name="dischargeEnergyMargin"/> in (0, 1].</summary>
    public DispatchAllocator(double dischargeEnergyMargin = DefaultDischargeEnergyMargin)
    {
        if (!(dischargeEnergyMargin is > 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(dischargeEnergyMargin), dischargeEnergyMargin, "The margin must be in (0, 1].");
        DischargeEnergyMargin = dischargeEnergyMargin;
    }

    /// <summary>The share of a battery's usable energy above reserve the allocator counts on delivering at AC.</summary>
    public double DischargeEnergyMargin { get; }

    /// <summary>Allocates <paramref name="request"/> across <paramref name="candidates"/> (asset ids unique).</summary>
    public AllocationResult Allocate(AllocationRequest request, IReadOnlyList<AllocationCandidate> candidates) =>
        Allocate(request, candidates, failedAssetIds: null);

    /// <summary>
    /// Allocates what remains of a dispatch (<paramref name="remaining"/>: the power still to hold and the window still
    /// to run) across the candidates, leaving out the assets in <paramref name="failedAssetIds"/> with the reason
    /// <see cref="FailedReason"/>. Candidates should carry fresh state of charge.
    /// </summary>
    public AllocationResult Reallocate(AllocationRequest remaining, IReadOnlyList<AllocationCandidate> candidates, IReadOnlySet<string> failedAssetIds)
    {
        ArgumentNullException.ThrowIfNull(failedAssetIds);
        return Allocate(remaining, candidates, failedAssetIds);
    }

    private AllocationResult Allocate(AllocationRequest request, IReadOnlyList<AllocationCandidate> candidates, IReadOnlySet<string>? failedAssetIds)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidates);
        if (!double.IsFinite(request.MegawattsRequested) || request.MegawattsRequested < 0)
            throw new ArgumentOutOfRangeException(nameof(request), request.MegawattsRequested, "The request must be a finite, non-negative number of megawatts.");
        if (request.Window <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(request), request.Window, "The window must be longer than zero.");

        var sorted = candidates.OrderBy(c => c.AssetId, StringComparer.Ordinal).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (string.Equals(sorted[i - 1].AssetId, sorted[i].AssetId, StringComparison.Ordinal))
                throw new ArgumentException($"Asset '{sorted[i].AssetId}' is a candidate twice.", nameof(candidates));
        }

        var usable = new List<(AllocationCandidate Candidate, long LimitUnits, string LimitText)>();
        var excluded = new List<ExcludedAsset>();
        foreach (var candidate in sorted)
        {
            if (failedAssetIds?.Contains(candidate.AssetId) == true)
            {
                excluded.Add(new ExcludedAsset(candidate.AssetId, FailedReason));
                continue;
            }
            var (limitKw, why) = Limit(request, candidate);
            if (limitKw is null)
            {
                excluded.Add(new ExcludedAsset(candidate.AssetId, why));
                continue;
            }
            // Rounded to 1e-6 units first, so 2.0999999999999996 kW (floating noise for 2.1) is not cut to 2.0999.
            var units = double.IsFinite(limitKw.Value) ? (long)Math.Floor(Math.Round(limitKw.Value * UnitsPerKw, 6)) : 0;
            if (units <= 0)
            {
                excluded.Add(new ExcludedAsset(candidate.AssetId, $"zero limit: {why}"));
                continue;
            }
            usable.Add((candidate, units, why));
        }

        long totalLimit = 0;
        foreach (var u in usable) totalLimit += u.LimitUnits;
        var requestedUnits = (long)Math.Round(request.MegawattsRequested * 1000 * UnitsPerKw, MidpointRounding.ToEven);
        var targetUnits = Math.Min(requestedUnits, totalLimit);

        var shares = Share(usable.Select(u => u.LimitUnits).ToList(), usable.Select(u => u.Candidate.AssetId).ToList(), targetUnits);
        var fraction = totalLimit == 0 ? 0 : (double)targetUnits / totalLimit;
        var assets = new List<AssetAllocation>(usable.Count);
        for (var i = 0; i < usable.Count; i++)
        {
            var (candidate, limitUnits, limitText) = usable[i];
            var kw = shares[i] / UnitsPerKw;
            var limitKw = limitUnits / UnitsPerKw;
            var reason = $"limit {Kw(limitKw)} kW = {limitText}; share {Percent((double)shares[i] / limitUnits)} of limit -> {Kw(kw)} kW";
            assets.Add(new AssetAllocation(candidate.AssetId, candidate.SiteId, candidate.DeviceId, candidate.Program, kw, limitKw, reason));
        }

        var expectedMw = targetUnits / (UnitsPerKw * 1000);
        var result = new AllocationResult(request, assets, excluded, expectedMw, "")
        {
            FleetLimitMegawatts = totalLimit / (UnitsPerKw * 1000),
            CommonFraction = fraction,
        };
        return result with { Summary = Summarize(result) };
    }

    /// <summary>The asset's limit in kW and its explanation, or null and the reason it is left out.</summary>
    private (double? LimitKw, string Why) Limit(AllocationRequest request, AllocationCandidate c)
    {
        if (!c.Online) return (null, "offline");
        var hours = request.Window.TotalHours;
        var isStorage = c.Type is AssetType.Battery or AssetType.SolarPlusStorage;
        var isSolar = c.Type is AssetType.Solar or AssetType.SolarPlusStorage;
        var rated = double.IsFinite(c.RatedKw) ? Math.Max(0, c.RatedKw) : 0;
        switch (request.Direction)
        {
            case DispatchDirection.Discharge or DispatchDirection.Charge when !isStorage:
                return (null, $"wrong type for {Name(request.Direction)}: {c.Type} has no storage");
            case DispatchDirection.Curtail when !isSolar:
                return (null, $"wrong type for curtail: {c.Type} has no PV");
            case DispatchDirection.Discharge or DispatchDirection.Charge:
            {
                if (c.StateOfChargePct is not { } soc || !double.IsFinite(soc)) return (null, "unknown state of charge");
                if (c.StorageKwh is not { } kwh || !double.IsFinite(kwh) || kwh <= 0) return (null, "unknown storage capacity");
                if (request.Direction == DispatchDirection.Discharge)
                {
                    if (soc <= c.ReservePct) return (null, $"at or below reserve: state of charge {Pct(soc)} <= reserve {Pct(c.ReservePct)}");
                    var energyKw = (soc - c.ReservePct) / 100 * kwh * DischargeEnergyMargin / hours;
                    return (Math.Min(rated, energyKw),
                        $"min(rated {Kw(rated)} kW, energy ({Pct(soc)} - {Pct(c.ReservePct)} reserve) x {Kw(kwh)} kWh x {DischargeEnergyMargin.ToString("0.00", CultureInfo.InvariantCulture)} margin / {Hours(hours)} h = {Kw(energyKw)} kW)");
                }
                if (soc >= c.MaxStateOfChargePct) return (null, $"full: state of charge {Pct(soc)} >= max {Pct(c.MaxStateOfChargePct)}");
                var roomKw = (c.MaxStateOfChargePct - soc) / 100 * kwh / hours;
                return (Math.Min(rated, roomKw),
                    $"min(rated {Kw(rated)} kW, room ({Pct(c.MaxStateOfChargePct)} max - {Pct(soc)}) x {Kw(kwh)} kWh / {Hours(hours)} h = {Kw(roomKw)} kW)");
            }
            default:
            {
                if (c.ActivePowerKw is not { } output || !double.IsFinite(output)) return (null, "unknown present output");
                var exportKw = Math.Max(0, output);
                return (Math.Min(rated, exportKw), $"min(rated {Kw(rated)} kW, present export {Kw(exportKw)} kW)");
            }
        }
    }

    /// <summary>
    /// Splits <paramref name="target"/> units in proportion to <paramref name="limits"/> (target ≤ Σ limits), each
    /// share rounded down and the remainder given one unit at a time to the largest fractional parts, ties by id.
    /// </summary>
    private static long[] Share(IReadOnlyList<long> limits, IReadOnlyList<string> ids, long target)
    {
        var shares = new long[limits.Count];
        Int128 total = 0;
        foreach (var limit in limits) total += limit;
        if (total == 0 || target == 0) return shares;
        var remainders = new Int128[limits.Count];
        long given = 0;
        for (var i = 0; i < limits.Count; i++)
        {
            var exact = (Int128)limits[i] * target;
            shares[i] = (long)(exact / total);
            remainders[i] = exact % total;
            given += shares[i];
        }
        var order = Enumerable.Range(0, limits.Count)
            .OrderByDescending(i => remainders[i])
            .ThenBy(i => ids[i], StringComparer.Ordinal);
        var left = target - given; // < count, since each share lost less than one unit
        foreach (var i in order)
        {
            if (left == 0) break;
            shares[i]++;
            left--;
        }
        return shares;
    }

    private static string Summarize(AllocationResult r)
    {
        var reasons = r.Excluded
            .GroupBy(e => ReasonKind(e.Reason), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} {g.Key}");
        var excluded = r.Excluded.Count == 0 ? "none excluded" : $"{r.Excluded.Count} excluded ({string.Join(", ", reasons)})";
        return $"requested {Mw(r.Request.MegawattsRequested)} MW {Name(r.Request.Direction)} for {Hours(r.Request.Window.TotalHours)} h; "
            + $"expected {Mw(r.MegawattsExpected)} MW from {r.Assets.Count(a => a.Kilowatts > 0)} of {r.Assets.Count} usable assets "
            + $"(fleet limit {Mw(r.FleetLimitMegawatts)} MW, each at {Percent(r.CommonFraction)} of its limit); "
            + $"shortfall {Mw(r.ShortfallMegawatts)} MW; {excluded}";
    }

    /// <summary>The kind of an exclusion reason: the text before the first colon.</summary>
    private static string ReasonKind(string reason)
    {
        var colon = reason.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? reason : reason[..colon];
    }

    private static string Name(DispatchDirection direction) => direction switch
    {
        DispatchDirection.Discharge => "discharge",
        DispatchDirection.Charge => "charge",
        _ => "curtail",
    };

    private static string Kw(double value) => value.ToString("0.0###", CultureInfo.InvariantCulture);
    private static string Mw(double value) => value.ToString("0.000####", CultureInfo.InvariantCulture);
    private static string Pct(double value) => value.ToString("0.##", CultureInfo.InvariantCulture) + "%";
    private static string Percent(double fraction) => (fraction * 100).ToString("0.0#", CultureInfo.InvariantCulture) + "%";
    private static string Hours(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
