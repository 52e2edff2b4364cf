using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Normalization;

/// <summary>
/// Turns raw readings of one asset's device into canonical samples: one unit per measurement, export / discharge
/// positive, and plausibility flags against the asset's nameplate. Pure: no clock, no I/O, safe to share.
/// </summary>
/// <remarks>
/// Readings are taken one device poll at a time (same site, device and source time: the edge stamps every
/// reading of a poll with one instant), because a measurement may come from several points: the first row of
/// <see cref="PointMappingTable"/> with a good value wins, and per-phase parts are summed only when the total is
/// absent. Each sample carries the (site, sequence) of the reading it came from (of the first part for a sum),
/// so at most one sample exists per reading.
/// </remarks>
public sealed class Normalizer
{
    private readonly NormalizerOptions _options;

    /// <summary>Creates a normalizer with the given plausibility limits (defaults when null).</summary>
    public Normalizer(NormalizerOptions? options = null)
    {
        _options = options ?? new NormalizerOptions();
        _options.Validate();
    }

    /// <summary>Normalizes one reading (a poll of one point); prefer the list overload for whole polls.</summary>
    public NormalizationResult Normalize(IngestedReading reading, AssetRecord asset) => Normalize([reading], asset);

    /// <summary>Normalizes the readings of the asset's device, typically one ingested batch.</summary>
    public NormalizationResult Normalize(IReadOnlyList<IngestedReading> readings, AssetRecord asset)
    {
        ArgumentNullException.ThrowIfNull(readings);
        ArgumentNullException.ThrowIfNull(asset);

        var samples = new List<NormalizedSample>();
        var skipped = new List<SkippedReading>();
        var own = new List<IngestedReading>(readings.Count);
        foreach (var reading in readings)
        {
            if (BelongsTo(reading, asset)) own.Add(reading);
            else skipped.Add(new SkippedReading(reading, SkipReason.OtherDevice));
        }

        foreach (var poll in own.GroupBy(r => (r.SiteId, r.DeviceId, r.SourceTime)))
        {
            NormalizePoll([.. poll], asset, samples, skipped);
        }

        samples.Sort((a, b) => a.SourceTime != b.SourceTime ? a.SourceTime.CompareTo(b.SourceTime) : a.Sequence.CompareTo(b.Sequence));
        return new NormalizationResult(samples, skipped);
    }

    // The lead looks the asset up by (site, device); readings of any other device must not be attributed to it.
    private static bool BelongsTo(IngestedReading reading, AssetRecord asset) =>
        (asset.SiteId is null || string.Equals(asset.SiteId, reading.SiteId, StringComparison.Ordinal))
        && (asset.DeviceId is null || string.Equals(asset.DeviceId, reading.DeviceId, StringComparison.Ordinal));

    private void NormalizePoll(IReadOnlyList<IngestedReading> poll, AssetRecord asset, List<NormalizedSample> samples, List<SkippedReading> skipped)
    {
        var used = new HashSet<IngestedReading>(ReferenceEqualityComparer.Instance);
        var reasons = new Dictionary<IngestedReading, SkipReason>(ReferenceEqualityComparer.Instance);
        var produced = new HashSet<Measurement>();

        foreach (var row in PointMappingTable.Rows)
        {
            if (produced.Contains(row.Measurement)) continue;
            var candidates = poll.Where(r => row.Matches(r.ModelId, r.Point) && r.Quality == EdgeQuality.Good && r.Value is not null).ToList();
            if (candidates.Count == 0) continue;

            var parts = row.IsSum ? FirstInstance(candidates) : [candidates.OrderBy(r => r.ModelInstance).ThenBy(r => r.Sequence).First()];
            if (!TryCombine(row, parts, reasons, out var value)) continue;

            produced.Add(row.Measurement);
            foreach (var part in parts) used.Add(part);
            samples.Add(ToSample(asset, row.Measurement, value, parts));
        }

        foreach (var reading in poll)
        {
            if (used.Contains(reading)) continue;
            var reason = reasons.TryGetValue(reading, out var known) ? known
                : reading.Quality == EdgeQuality.NotImplemented ? SkipReason.NotImplemented
                : PointMappingTable.Rows.Any(row => row.Matches(reading.ModelId, reading.Point))
                    ? (reading.Value is null ? SkipReason.NoValue : SkipReason.Superseded)
                : SkipReason.Unmapped;
            skipped.Add(new SkippedReading(reading, reason));
        }
    }

    // Parts of one total come from one model instance; a second instance (rare) is not mixed in.
    private static IReadOnlyList<IngestedReading> FirstInstance(List<IngestedReading> candidates)
    {
        var first = candidates.OrderBy(r => r.ModelId).ThenBy(r => r.ModelInstance).First();
        return candidates.Where(r => r.ModelId == first.ModelId && r.ModelInstance == first.ModelInstance)
            .OrderBy(r => r.Sequence).ToList();
    }

    private static bool TryCombine(PointMapping row, IReadOnlyList<IngestedReading> parts, Dictionary<IngestedReading, SkipReason> reasons, out double value)
    {
        value = 0;
        foreach (var part in parts)
        {
            if (!UnitConversion.TryGetFactor(part.Unit, row.DeclaredUnit, row.Measurement, out var factor))
            {
                // A total with one unreadable part would be wrong, not partial: the whole row yields nothing.
                reasons[part] = SkipReason.UnknownUnit;
                return false;
            }
            value += part.Value!.Value * factor;
        }
        value *= row.Sign;
        if (double.IsFinite(value)) return true;
        foreach (var part in parts) reasons[part] = SkipReason.NotFinite;
        return false;
    }

    private NormalizedSample ToSample(AssetRecord asset, Measurement measurement, double value, IReadOnlyList<IngestedReading> parts)
    {
        var first = parts[0];
        // A sum is complete only when its last part has arrived.
        var received = parts.Max(p => p.ReceivedTime);
        var flags = RangeFlags(asset, measurement, value);
        // The receipt time is the collector's clock (TimeProvider, at ingest), so this stays pure.
        if (first.SourceTime - received > _options.MaximumAheadOfReceipt) flags |= QualityFlags.Future;
        return new NormalizedSample(
            asset.AssetId,
            measurement,
            value,
            first.SourceTime,
            received,
            flags,
            first.SiteId,
            first.Sequence,
            parts.Any(p => p.Historical));
    }

    private QualityFlags RangeFlags(AssetRecord asset, Measurement measurement, double value)
    {
        var outOfRange = measurement switch
        {
            Measurement.ActivePowerW => asset.CapacityKw > 0 && Math.Abs(value) > _options.PowerMarginFactor * asset.CapacityKw * 1000,
            Measurement.StateOfChargePct => value is < 0 or > 100,
            Measurement.FrequencyHz => value < _options.MinimumFrequencyHz || value > _options.MaximumFrequencyHz,
            _ => false,
        };
        return outOfRange ? QualityFlags.OutOfRange : QualityFlags.None;
    }
}
