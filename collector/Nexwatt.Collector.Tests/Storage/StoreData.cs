using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Tests.Storage;

/// <summary>Builders for the store suite. Times are whole microseconds: what both stores keep.</summary>
internal static class StoreData
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public static IngestedReading Reading(string site, ulong sequence, double? value = 1.5, string? text = null, DateTimeOffset? sourceTime = null) =>
        new(site, sequence, "inverter-1", 103, 1, "W", value, text, "W", EdgeQuality.Good,
            sourceTime ?? T0.AddSeconds((double)(sequence % 100_000)), T0.AddMinutes(5).AddTicks(10), Historical: false);

    public static IReadOnlyList<IngestedReading> Readings(string site, ulong first, ulong last) =>
        Enumerable.Range(0, (int)(last - first + 1)).Select(i => Reading(site, first + (ulong)i, value: i)).ToList();

    public static NormalizedSample Sample(string asset, Measurement measurement, double value, DateTimeOffset sourceTime, ulong sequence,
        string site = "site-a", QualityFlags flags = QualityFlags.None, bool historical = false) =>
        new(asset, measurement, value, sourceTime, sourceTime.AddMilliseconds(250), flags, site, sequence, historical);

    public static IntervalRecord Interval(string asset, Measurement measurement, DateTimeOffset start, double? average, QualityFlags flags = QualityFlags.None) =>
        new(asset, measurement, start, TimeSpan.FromMinutes(5), average, average - 1, average + 1, average, 0.75, 60, flags);

    public static AssetRecord Asset(string id, AssetType type = AssetType.Solar, string zone = "CAISO", double? storageKwh = null,
        string? site = null, string? device = null, AssetStatus status = AssetStatus.Active, TimeSpan? interval = null) =>
        new(id, type, "SE10K", 10, storageKwh, "meter-" + id, zone, interval ?? TimeSpan.FromSeconds(5), site, device, status,
            T0.AddDays(-10), T0.AddDays(-1).AddTicks(120));
}
