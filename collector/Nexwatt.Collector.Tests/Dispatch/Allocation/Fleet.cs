using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Tests.Dispatch.Allocation;

/// <summary>Candidate builders and the issue's fleet: 200 subscriber batteries of 20 kWh in two programs.</summary>
internal static class Fleet
{
    public static AllocationCandidate Battery(string id, double? soc, double reserve = 20, double ratedKw = 5, double? kwh = 20,
        string program = "basic", double maxSoc = 95, bool online = true, AssetType type = AssetType.Battery, double? activeKw = 0) =>
        new(id, "site-" + id, "dev-" + id, type, program, ratedKw, kwh, soc, reserve, maxSoc, activeKw, online);

    public static AllocationCandidate Solar(string id, double? outputKw, double ratedKw = 5) =>
        new(id, "site-" + id, "dev-" + id, AssetType.Solar, "pv", ratedKw, null, null, 0, 100, outputKw, true);

    /// <summary>
    /// 200 batteries of 20 kWh, state of charge spread over [min, max] %, programs "basic" (reserve 20 %) and
    /// "premium" (reserve 30 %) alternating; the same fleet for the same seed.
    /// </summary>
    public static List<AllocationCandidate> IssueFleet(double ratedKw, double minSoc = 30, double maxSoc = 95, int seed = 200)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 200).Select(i =>
        {
            var soc = Math.Round(minSoc + random.NextDouble() * (maxSoc - minSoc), 1);
            var premium = i % 2 == 1;
            return Battery($"bat-{i:D3}", soc, premium ? 30 : 20, ratedKw, 20, premium ? "premium" : "basic", maxSoc: 100);
        }).ToList();
    }

    /// <summary>Energy above reserve, kWh, as the subscriber's program counts it.</summary>
    public static double UsableKwh(AllocationCandidate c) => (c.StateOfChargePct!.Value - c.ReservePct) / 100 * c.StorageKwh!.Value;
}
