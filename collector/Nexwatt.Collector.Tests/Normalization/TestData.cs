using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Tests.Normalization;

/// <summary>Builders for readings, samples and assets with sensible defaults.</summary>
internal static class TestData
{
    public static readonly DateTimeOffset T0 = new(2026, 6, 21, 12, 0, 0, TimeSpan.Zero);

    public static AssetRecord Asset(AssetType type = AssetType.Solar, double capacityKw = 10, string site = "site-1", string device = "inv-1") =>
        new("asset-1", type, "SIM", capacityKw, type == AssetType.Solar ? null : 10, "m-1", "PJM", TimeSpan.FromSeconds(5), site, device,
            AssetStatus.Active, T0, T0);

    public static IngestedReading Reading(ushort model, string point, double? value, string unit, ulong sequence,
        DateTimeOffset? sourceTime = null, EdgeQuality quality = EdgeQuality.Good, string device = "inv-1", int instance = 0,
        DateTimeOffset? receivedTime = null, bool historical = false, string site = "site-1")
    {
        var source = sourceTime ?? T0;
        return new IngestedReading(site, sequence, device, model, instance, point, value, null, unit, quality, source,
            receivedTime ?? source + TimeSpan.FromSeconds(1), historical);
    }

    public static NormalizedSample Sample(double seconds, double value, ulong sequence, double receivedDelaySeconds = 1,
        QualityFlags flags = QualityFlags.None, bool historical = false, Measurement measurement = Measurement.ActivePowerW, string asset = "asset-1")
    {
        var source = T0 + TimeSpan.FromSeconds(seconds);
        return new NormalizedSample(asset, measurement, value, source, source + TimeSpan.FromSeconds(receivedDelaySeconds), flags, "site-1", sequence, historical);
    }
}
