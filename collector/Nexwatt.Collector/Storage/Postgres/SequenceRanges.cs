using Nexwatt.Collector.Domain;
using static Nexwatt.Collector.Storage.StorageCodes;

namespace Nexwatt.Collector.Storage.Postgres;

/// <summary>
/// The sites of a batch and, per site, the lowest and highest sequence as stored (bigint), in the order the sites
/// first appear; and whether the batch provably holds no key twice (<see cref="DistinctKeys"/>), which with an empty
/// probe of those ranges lets the batch be copied straight into its table.
/// </summary>
internal sealed class SequenceRanges
{
    private SequenceRanges(string[] sites, long[] first, long[] last, bool distinctKeys)
    {
        Sites = sites;
        First = first;
        Last = last;
        DistinctKeys = distinctKeys;
    }

    public string[] Sites { get; }

    /// <summary>Per site, the lowest sequence of the batch (compared as stored, signed, so that BETWEEN is never inverted).</summary>
    public long[] First { get; }

    /// <summary>Per site, the highest sequence of the batch.</summary>
    public long[] Last { get; }

    /// <summary>
    /// True when the batch holds no key twice. False may also mean "not proven": the caller then takes the path that
    /// copes with duplicates.
    /// </summary>
    public bool DistinctKeys { get; }

    /// <summary>
    /// Readings (key: site, sequence). Keys are distinct when every site's sequences rise through the batch, as the
    /// edge sends them: proven without hashing. A batch out of order is not examined further (it is rare).
    /// </summary>
    public static SequenceRanges Of(IReadOnlyList<IngestedReading> readings)
    {
        var builder = new Builder();
        foreach (var reading in readings) builder.Add(reading.SiteId, ToColumn(reading.Sequence), measurementBit: 0);
        return builder.Build(builder.InOrder);
    }

    /// <summary>
    /// Samples (key: site, sequence, measurement). In order means: every site's sequences never fall through the batch,
    /// and samples of one site and sequence (a reading may in principle yield several) have distinct measurements;
    /// then equal keys would be neighbours in their site's run of one sequence, where a bit mask sees them. The
    /// ingest pipeline concatenates the samples of each device, each in time order, so a site with several devices
    /// interleaves sequences: such a batch is checked with a hash set of its keys instead (in memory, so it still
    /// saves the staging table).
    /// </summary>
    public static SequenceRanges Of(IReadOnlyList<NormalizedSample> samples)
    {
        var builder = new Builder();
        // Codes are 1..9 (StorageCodes). A code of 64 or more would wrap onto another's bit: a false "repeated", which
        // only sends the batch on to the hash check, never a false "distinct".
        foreach (var sample in samples) builder.Add(sample.SiteId, ToColumn(sample.Sequence), 1UL << ToCode(sample.Measurement));
        if (builder.InOrder) return builder.Build(distinctKeys: true);
        var keys = new HashSet<(string, long, short)>(samples.Count);
        var distinct = true;
        foreach (var sample in samples)
        {
            if (keys.Add((sample.SiteId, ToColumn(sample.Sequence), ToCode(sample.Measurement)))) continue;
            distinct = false;
            break;
        }
        return builder.Build(distinct);
    }

    private sealed class Builder
    {
        private readonly List<string> _sites = new(1);
        private readonly List<long> _first = new(1);
        private readonly List<long> _last = new(1);
        // Per site, the measurements seen at its highest sequence so far (a bit per code; readings pass 0).
        private readonly List<ulong> _measurements = new(1);

        /// <summary>Whether the rows so far are in order (see the samples overload of Of); once false, stays false.</summary>
        public bool InOrder { get; private set; } = true;

        public void Add(string siteId, long sequence, ulong measurementBit)
        {
            // Almost every batch is one site's: look at the last site seen before searching.
            var index = _sites.Count > 0 && string.Equals(_sites[^1], siteId, StringComparison.Ordinal)
                ? _sites.Count - 1
                : _sites.FindIndex(s => string.Equals(s, siteId, StringComparison.Ordinal));
            if (index < 0)
            {
                _sites.Add(siteId);
                _first.Add(sequence);
                _last.Add(sequence);
                _measurements.Add(measurementBit);
                return;
            }
            if (sequence < _first[index]) _first[index] = sequence;
            var last = _last[index];
            if (sequence > last)
            {
                _last[index] = sequence;
                _measurements[index] = measurementBit;
                return;
            }
            // Not above the site's highest: still in order only as a new measurement of that same sequence (never for
            // readings). Compared as stored (signed), like the probe.
            if (sequence < last || measurementBit == 0 || (_measurements[index] & measurementBit) != 0) InOrder = false;
            else _measurements[index] |= measurementBit;
        }

        public SequenceRanges Build(bool distinctKeys) => new([.. _sites], [.. _first], [.. _last], distinctKeys);
    }
}
