using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Normalization;

/// <summary>
/// Aligns one asset's samples of one measurement to its telemetry interval: average, minimum, maximum, last,
/// sample count, coverage and quality flags per interval. Stateless and pure: the same samples, gaps and
/// <c>now</c> give the same records whatever their order, so late data simply recomputes its interval.
/// Definitions (Normalization/README.md):
/// <list type="bullet">
/// <item>average: the arithmetic mean of the interval's samples (polling is periodic, so it matches a time-weighted
/// mean without reaching into the previous interval);</item>
/// <item>coverage: the fraction of the interval's sub-slots that hold at least one sample; an interval is cut into
/// min(length / sample period, <see cref="AggregationOptions.MaximumSlotsPerInterval"/>) slots, at least one;</item>
/// <item>stale: at least <see cref="AggregationOptions.StaleMinimumSamples"/> samples, all exactly equal and nonzero,
/// of a measurement in <see cref="AggregationOptions.StaleMeasurements"/>.</item>
/// </list>
/// </summary>
public sealed class IntervalAggregator
{
    private readonly AggregationOptions _options;

    /// <summary>Creates an aggregator with the given thresholds (defaults when null).</summary>
    public IntervalAggregator(AggregationOptions? options = null)
    {
        _options = options ?? new AggregationOptions();
        _options.Validate();
    }

    /// <summary>How long after its end an interval stays <see cref="QualityFlags.Open"/>: a sample arriving later is late.</summary>
    public TimeSpan ClosingGrace => _options.LateGrace;

    /// <summary>
    /// One record per ended interval of the window (an interval whose end is after <paramref name="now"/> is still
    /// filling and left out). An interval that ended less than <see cref="ClosingGrace"/> ago has not closed: samples
    /// uploaded in batches may still arrive, so it is <see cref="QualityFlags.Open"/> and never
    /// <see cref="QualityFlags.Missing"/>. A closed interval without samples is a Missing record, never absent.
    /// </summary>
    /// <param name="window">Asset, measurement, interval length and time window.</param>
    /// <param name="samples">Samples of the asset; other assets, measurements, times and non-finite values are ignored.</param>
    /// <param name="gaps">Edge gaps of the asset's site; each interval one overlaps is flagged <see cref="QualityFlags.Gap"/>.</param>
    /// <param name="now">The caller's clock (a <see cref="TimeProvider"/>), deciding which intervals have closed.</param>
    public IReadOnlyList<IntervalRecord> Aggregate(IntervalWindow window, IReadOnlyList<NormalizedSample> samples, IReadOnlyList<GapRecord> gaps, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(gaps);
        IntervalGrid.CheckLength(window.Length);
        if (window.To < window.From) throw new ArgumentException("The window ends before it starts.", nameof(window));

        var length = window.Length;
        var first = IntervalGrid.Floor(window.From, length);
        var end = IntervalGrid.Ceiling(window.To, length);
        var count = (end - first).Ticks / length.Ticks;
        if (count > _options.MaximumIntervals)
            throw new ArgumentException($"The window holds {count} intervals, more than the limit of {_options.MaximumIntervals}.", nameof(window));

        var ordered = Canonical(window, samples, first, end);
        var slots = SlotsPerInterval(length, ordered);
        var relevantGaps = gaps.Where(g => window.DeviceId is null || g.DeviceIds.Count == 0 || g.DeviceIds.Contains(window.DeviceId)).ToList();

        var records = new List<IntervalRecord>((int)Math.Min(count, 4096));
        var next = 0;
        for (var start = first; start < end && start + length <= now; start += length)
        {
            var intervalEnd = start + length;
            var from = next;
            while (next < ordered.Count && ordered[next].SourceTime < intervalEnd) next++;
            var inInterval = ordered.GetRange(from, next - from);
            var gap = relevantGaps.Any(g => g.From < intervalEnd && g.To >= start);
            records.Add(Summarize(window, start, inInterval, slots, gap, closed: intervalEnd + _options.LateGrace <= now));
        }
        return records;
    }

    // Deduplicates on (site, sequence) and sorts on a total order, so neither duplicates nor input order change
    // a result (floating-point sums depend on order).
    private static List<NormalizedSample> Canonical(IntervalWindow window, IReadOnlyList<NormalizedSample> samples, DateTimeOffset from, DateTimeOffset to) =>
        samples
            .Where(s => string.Equals(s.AssetId, window.AssetId, StringComparison.Ordinal) && s.Measurement == window.Measurement)
            .Where(s => double.IsFinite(s.Value) && s.SourceTime >= from && s.SourceTime < to)
            .OrderBy(s => s.SourceTime)
            .ThenBy(s => s.SiteId, StringComparer.Ordinal)
            .ThenBy(s => s.Sequence)
            .ThenBy(s => s.Value)
            .ThenBy(s => s.ReceivedTime)
            .ThenBy(s => s.Flags)
            .ThenBy(s => s.Historical)
            .DistinctBy(s => (s.SiteId, s.Sequence))
            .ToList();

    private int SlotsPerInterval(TimeSpan length, List<NormalizedSample> ordered)
    {
        var period = _options.SamplePeriod ?? MedianSpacing(ordered);
        if (period is not { } p) return _options.MaximumSlotsPerInterval;
        var slots = length.Ticks / p.Ticks;
        return (int)Math.Clamp(slots, 1, _options.MaximumSlotsPerInterval);
    }

    // The lower median of the positive spacings between distinct source times: robust against an outage (one
    // long spacing) and a burst (a replay), and deterministic.
    private static TimeSpan? MedianSpacing(List<NormalizedSample> ordered)
    {
        var spacings = new List<long>();
        for (var i = 1; i < ordered.Count; i++)
        {
            var ticks = (ordered[i].SourceTime - ordered[i - 1].SourceTime).Ticks;
            if (ticks > 0) spacings.Add(ticks);
        }
        if (spacings.Count == 0) return null;
        spacings.Sort();
        return TimeSpan.FromTicks(spacings[(spacings.Count - 1) / 2]);
    }

    private IntervalRecord Summarize(IntervalWindow window, DateTimeOffset start, List<NormalizedSample> samples, int slots, bool gap, bool closed)
    {
        var flags = gap ? QualityFlags.Gap : QualityFlags.None;
        // Missing is a verdict on a closed interval; until then what is there is partial, and said to be.
        var shortfall = closed ? QualityFlags.Missing : QualityFlags.Open;
        if (!closed) flags |= QualityFlags.Open;
        if (samples.Count == 0)
        {
            return new IntervalRecord(window.AssetId, window.Measurement, start, window.Length, null, null, null, null, 0, 0, flags | shortfall);
        }

        var intervalEnd = start + window.Length;
        var min = double.PositiveInfinity;
        var max = double.NegativeInfinity;
        var sum = 0.0;
        var occupied = new HashSet<long>();
        foreach (var sample in samples)
        {
            min = Math.Min(min, sample.Value);
            max = Math.Max(max, sample.Value);
            sum += sample.Value;
            occupied.Add((sample.SourceTime - start).Ticks * slots / window.Length.Ticks);
            // Sample flags carry over (out of range, estimated, ...); a replayed reading is late by definition.
            flags |= sample.Flags;
            if (sample.Historical || sample.ReceivedTime > intervalEnd + _options.LateGrace) flags |= QualityFlags.Late;
        }

        // Summing huge values can overflow where their mean would not; rounding can put a mean of equal values a
        // hair outside them. Neither may leave an average outside [min, max].
        var average = double.IsFinite(sum) ? sum / samples.Count : samples.Sum(s => s.Value / samples.Count);
        average = Math.Clamp(average, min, max);

        var coverage = (double)occupied.Count / slots;
        if (coverage < _options.MissingCoverageThreshold) flags |= shortfall;
        if (IsStale(window.Measurement, samples)) flags |= QualityFlags.Stale;

        return new IntervalRecord(window.AssetId, window.Measurement, start, window.Length, average, min, max, samples[^1].Value,
            coverage, samples.Count, flags);
    }

    private bool IsStale(Measurement measurement, List<NormalizedSample> samples)
    {
        if (!_options.StaleMeasurements.Contains(measurement) || samples.Count < _options.StaleMinimumSamples) return false;
        var value = samples[0].Value;
        // Zero is a legitimate steady state (night, idle battery); only a frozen nonzero value is suspicious.
        return value != 0 && samples.All(s => s.Value.Equals(value));
    }
}
