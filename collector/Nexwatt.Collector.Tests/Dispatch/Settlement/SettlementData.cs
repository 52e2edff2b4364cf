using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Collector.Dispatch.Settlement;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Tests.Dispatch.Settlement;

/// <summary>
/// A 15-minute discharge from 17:00 UTC settled per 5 minutes, with numbers worked by hand:
/// <list type="bullet">
/// <item>a1 (basic, 5-min telemetry): 4 kW; baseline 1 kW export; metered 5, 4, 5 kW; delivered 4, 3, 4 kW.</item>
/// <item>a2 (basic, 5-min): 2 kW, re-allocated to 3 kW at 17:05 and 4 kW at 17:07:30 (3.5 kW averaged over the second
/// interval); baseline −0.5 kW from 5 of 6 intervals (16:40 absent); metered 1.5 (late), absent, 3.5 (stale) kW;
/// delivered 2, 0, 4 kW.</item>
/// <item>p1 (premium, 1-min): 6 kW; baseline 0; metered 6 kW throughout but 17:12 is a Missing record, so the third
/// interval delivers 6 x 4/5 = 4.8 kW.</item>
/// <item>p2 (premium): 2 kW, no telemetry at all: baseline unknown, nothing delivered, every interval Missing.</item>
/// </list>
/// Request 0.012 MW at 1,000.00 per MW: a payment of 12.00.
/// </summary>
internal static class SettlementData
{
    public static readonly DateTimeOffset T0 = new(2026, 6, 21, 17, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);

    public static IntervalRecord Record(string asset, DateTimeOffset start, TimeSpan length, double? watts, QualityFlags flags = QualityFlags.None) =>
        new(asset, Measurement.ActivePowerW, start, length, watts, watts, watts, watts, watts is null ? 0 : 1, watts is null ? 0 : 10, flags);

    /// <summary>Records on a grid from <paramref name="start"/>: one per value, null for an absent interval.</summary>
    public static IEnumerable<IntervalRecord> Series(string asset, DateTimeOffset start, TimeSpan length, params double?[] watts) =>
        watts.Select((w, i) => (w, i)).Where(x => x.w is not null).Select(x => Record(asset, start + x.i * length, length, x.w));

    public static SettlementInput Input()
    {
        var baseline5 = T0 - 6 * FiveMinutes;
        var a1 = Series("a1", baseline5, FiveMinutes, 1000, 1000, 1000, 1000, 1000, 1000, 5000, 4000, 5000).ToList();
        var a2 = Series("a2", baseline5, FiveMinutes, -500, -500, null, -500, -500, -500).ToList();
        a2.Add(Record("a2", T0, FiveMinutes, 1500, QualityFlags.Late));
        a2.Add(Record("a2", T0 + 2 * FiveMinutes, FiveMinutes, 3500, QualityFlags.Stale));
        var p1 = Series("p1", T0 - 6 * OneMinute, OneMinute, Enumerable.Repeat<double?>(0, 6).Concat(Enumerable.Repeat<double?>(6000, 15)).ToArray())
            .Select(r => r.Start == T0.AddMinutes(12) ? r with { Average = null, Minimum = null, Maximum = null, Last = null, Coverage = 0, SampleCount = 0, Flags = QualityFlags.Missing } : r)
            .ToList();
        // Records outside the baseline period and the window play no part.
        a1.Add(Record("a1", T0 - 7 * FiveMinutes, FiveMinutes, 99_000));
        a1.Add(Record("a1", T0 + 3 * FiveMinutes, FiveMinutes, 99_000));

        return new SettlementInput("d-1", "zone-a", DispatchDirection.Discharge, 0.012, T0, T0 + 3 * FiveMinutes, 1000.00m, "USD",
            [
                new InstructedSpan("a1", "s1", "basic", 4, T0, T0 + 3 * FiveMinutes),
                new InstructedSpan("a2", "s2", "basic", 2, T0, T0 + FiveMinutes),
                new InstructedSpan("a2", "s2", "basic", 3, T0 + FiveMinutes, T0.AddMinutes(7.5)),
                new InstructedSpan("a2", "s2", "basic", 4, T0.AddMinutes(7.5), T0 + 3 * FiveMinutes),
                new InstructedSpan("p1", "s3", "premium", 6, T0, T0 + 3 * FiveMinutes),
                new InstructedSpan("p2", "s4", "premium", 2, T0, T0 + 3 * FiveMinutes),
            ],
            [
                new AssetTelemetry("a1", FiveMinutes, a1),
                new AssetTelemetry("a2", FiveMinutes, a2),
                new AssetTelemetry("p1", OneMinute, p1),
                new AssetTelemetry("unscheduled", FiveMinutes, [Record("unscheduled", T0, FiveMinutes, 50_000)]),
            ]);
    }
}
