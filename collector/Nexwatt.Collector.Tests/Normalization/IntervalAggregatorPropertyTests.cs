using FsCheck;
using FsCheck.Fluent;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Normalization;
using static Nexwatt.Collector.Tests.Normalization.TestData;

namespace Nexwatt.Collector.Tests.Normalization;

/// <summary>Properties of aggregation over random samples in a one-minute window.</summary>
public class IntervalAggregatorPropertyTests
{
    private static readonly DateTimeOffset Now = T0.AddHours(1);
    private readonly IntervalAggregator _aggregator = new();

    private sealed record Case(TimeSpan Length, List<NormalizedSample> Samples, int Seed)
    {
        public IntervalWindow Window => new("asset-1", Measurement.ActivePowerW, Length, T0, T0.AddMinutes(1));
    }

    private static readonly Gen<NormalizedSample> AnySample =
        from milliseconds in Gen.Choose(0, 59_999)
        from value in Gen.OneOf(Gen.Choose(-1_000_000, 1_000_000).Select(v => v / 10.0), Gen.Elements(0.0, 0.1, 2500.0))
        from delay in Gen.Choose(0, 60)
        from flags in Gen.Elements(QualityFlags.None, QualityFlags.None, QualityFlags.OutOfRange, QualityFlags.Estimated)
        from historical in Gen.Elements(false, false, false, true)
        select Sample(milliseconds / 1000.0, value, 0, delay, flags, historical);

    private static readonly Arbitrary<Case> Cases = (
        from length in Gen.Elements(1, 4, 5, 10, 60).Select(s => TimeSpan.FromSeconds(s))
        from samples in Gen.ListOf(AnySample)
        from seed in Gen.Choose(0, int.MaxValue)
        // Sequences are unique per site, as ingest guarantees.
        select new Case(length, samples.Select((s, i) => s with { Sequence = (ulong)i + 1 }).ToList(), seed)).ToArbitrary();

    [Fact]
    public void Aggregates_stay_within_min_and_max_and_coverage_within_0_and_1()
    {
        Prop.ForAll(Cases, c =>
        {
            var records = _aggregator.Aggregate(c.Window, c.Samples, [], Now);
            Assert.Equal((int)(TimeSpan.FromMinutes(1) / c.Length), records.Count);
            Assert.All(records.Select((r, i) => (r, i)), x => Assert.Equal((T0 + x.i * c.Length, c.Length), (x.r.Start, x.r.Length)));
            Assert.Equal(c.Samples.Count, records.Sum(r => r.SampleCount));
            Assert.All(records, r =>
            {
                Assert.InRange(r.Coverage, 0, 1);
                Assert.True(r.SampleCount == 0
                    ? r.Average is null && r.Minimum is null && r.Maximum is null && r.Last is null && r.Flags.HasFlag(QualityFlags.Missing)
                    : r.Minimum <= r.Average && r.Average <= r.Maximum && r.Minimum <= r.Last && r.Last <= r.Maximum, $"record {r}");
            });
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void The_same_samples_give_the_same_records_in_any_order_and_with_duplicates()
    {
        Prop.ForAll(Cases, c =>
        {
            var first = _aggregator.Aggregate(c.Window, c.Samples, [], Now);
            var again = _aggregator.Aggregate(c.Window, c.Samples, [], Now);
            var random = new Random(c.Seed);
            var shuffled = c.Samples.OrderBy(_ => random.Next()).ToList();
            // A redelivered reading (same site and sequence) must not count twice.
            var redelivered = shuffled.Concat(shuffled.Take(3)).ToList();
            Assert.Equal(first, again);
            Assert.Equal(first, _aggregator.Aggregate(c.Window, shuffled, [], Now));
            Assert.Equal(first, _aggregator.Aggregate(c.Window, redelivered, [], Now));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Late_data_recomputes_its_interval_with_the_late_flag_and_leaves_the_others_alone()
    {
        Prop.ForAll(Cases, c =>
        {
            if (c.Samples.Count == 0) return;
            var onTime = c.Samples.Select(s => s with { ReceivedTime = s.SourceTime, Historical = false }).ToList();
            var index = c.Seed % onTime.Count;
            var late = onTime.Select((s, i) => i == index ? s with { ReceivedTime = Now } : s).ToList();

            var before = _aggregator.Aggregate(c.Window, onTime, [], Now);
            var after = _aggregator.Aggregate(c.Window, late, [], Now);
            var lateStart = IntervalGrid.Floor(onTime[index].SourceTime, c.Length);
            Assert.All(before.Zip(after), pair => Assert.Equal(
                pair.First.Start == lateStart ? pair.First with { Flags = pair.First.Flags | QualityFlags.Late } : pair.First, pair.Second));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Gaps_only_add_the_gap_flag()
    {
        Prop.ForAll(Cases, c =>
        {
            var gap = new GapRecord("site-1", 1, 2, 2, T0.AddSeconds(c.Seed % 60), T0.AddSeconds(c.Seed % 60 + 7), [], "evicted");
            var without = _aggregator.Aggregate(c.Window, c.Samples, [], Now);
            var with = _aggregator.Aggregate(c.Window, c.Samples, [gap], Now);
            Assert.All(without.Zip(with), p => Assert.Equal(p.First, p.Second with { Flags = p.Second.Flags & ~QualityFlags.Gap }));
            Assert.Contains(with, r => r.Flags.HasFlag(QualityFlags.Gap));
        }).QuickCheckThrowOnFailure();
    }
}
