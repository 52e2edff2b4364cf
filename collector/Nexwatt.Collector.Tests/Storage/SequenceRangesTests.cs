using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Storage.Postgres;
using static Nexwatt.Collector.Tests.Storage.StoreData;

namespace Nexwatt.Collector.Tests.Storage;

/// <summary>The in-memory half of PostgreSQL's fast paths: a batch is copied straight in only when its keys are distinct.</summary>
public class SequenceRangesTests
{
    [Fact]
    public void Readings_in_sequence_order_have_distinct_keys_and_one_range_per_site()
    {
        var ranges = SequenceRanges.Of([Reading("site-a", 3), Reading("site-b", 7), Reading("site-a", 4), Reading("site-a", 9), Reading("site-b", 8)]);

        Assert.True(ranges.DistinctKeys);
        Assert.Equal(["site-a", "site-b"], ranges.Sites);
        Assert.Equal([3L, 7L], ranges.First);
        Assert.Equal([9L, 8L], ranges.Last);
    }

    [Theory]
    [InlineData(new ulong[] { 1, 2, 2, 3 })]
    [InlineData(new ulong[] { 1, 3, 2 })]
    public void Readings_repeated_or_out_of_order_are_not_proven_distinct(ulong[] sequences)
    {
        Assert.False(SequenceRanges.Of([.. sequences.Select(s => Reading("site-a", s))]).DistinctKeys);
    }

    [Fact]
    public void Samples_of_one_sequence_with_different_measurements_are_distinct()
    {
        var ranges = SequenceRanges.Of([Power(1), Sample("pv-1", Measurement.FrequencyHz, 60, T0, 1), Power(2), Sample("pv-1", Measurement.FrequencyHz, 60, T0, 2)]);

        Assert.True(ranges.DistinctKeys);
        Assert.Equal([1L], ranges.First);
        Assert.Equal([2L], ranges.Last);
    }

    [Fact]
    public void A_repeated_sample_key_is_found_in_order_and_out_of_order()
    {
        Assert.False(SequenceRanges.Of([Power(1), Power(2), Power(2)]).DistinctKeys);
        Assert.False(SequenceRanges.Of([Power(1), Sample("pv-1", Measurement.FrequencyHz, 60, T0, 1), Power(1)]).DistinctKeys);
        Assert.False(SequenceRanges.Of([Power(5), Power(1), Power(3), Power(1)]).DistinctKeys);
        // The same sequence of another site is another key.
        Assert.True(SequenceRanges.Of([Power(1), Power(1) with { SiteId = "site-b" }]).DistinctKeys);
    }

    [Fact]
    public void Interleaved_devices_are_proven_distinct_by_the_hash_check_with_the_true_range()
    {
        var ranges = SequenceRanges.Of([Power(2), Power(4), Power(6), Power(1), Power(3), Power(5)]);

        Assert.True(ranges.DistinctKeys);
        Assert.Equal([1L], ranges.First);
        Assert.Equal([6L], ranges.Last);
    }

    [Fact]
    public void Ranges_compare_sequences_as_stored_so_that_between_is_never_inverted()
    {
        // 2^63 and above are negative in the bigint column: the lowest stored value is 2^63's.
        var ranges = SequenceRanges.Of([Power(5), Power(1UL << 63), Power(ulong.MaxValue)]);

        Assert.True(ranges.DistinctKeys);
        Assert.Equal([long.MinValue], ranges.First);
        Assert.Equal([5L], ranges.Last);
    }

    private static NormalizedSample Power(ulong sequence) => Sample("pv-1", Measurement.ActivePowerW, 1, T0, sequence);
}
