using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Normalization;

/// <summary>What to aggregate: one measurement of one asset over [<see cref="From"/>, <see cref="To"/>), widened to whole intervals.</summary>
/// <param name="AssetId">The asset; samples of other assets are ignored.</param>
/// <param name="Measurement">The measurement; samples of other measurements are ignored.</param>
/// <param name="Length">The asset's telemetry interval.</param>
/// <param name="From">Start of the window, floored to the interval grid.</param>
/// <param name="To">End of the window (exclusive), raised to the interval grid.</param>
/// <param name="DeviceId">The device that reports the asset: an edge gap naming other devices does not touch it. Null: every gap applies.</param>
public sealed record IntervalWindow(string AssetId, Measurement Measurement, TimeSpan Length, DateTimeOffset From, DateTimeOffset To, string? DeviceId = null);
