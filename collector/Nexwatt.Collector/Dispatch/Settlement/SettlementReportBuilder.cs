using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Normalization;

namespace Nexwatt.Collector.Dispatch.Settlement;

/// <summary>
/// Builds the performance and settlement report of one dispatch from its schedule and the telemetry intervals.
/// Pure: no clock, no I/O; the same input gives the same report.
/// </summary>
/// <remarks>
/// <para>Settlement intervals run from the window start in steps of the settlement interval, the last one cut at the
/// window end. Telemetry records count by the time they overlap an interval, so windows need not sit on the
/// telemetry grid (a record straddling the window start lends its average to the part inside).</para>
/// <para>Baseline: per asset, the average of its interval averages over the N telemetry intervals of its (epoch)
/// grid that end at or before the window start (those with data; any absent one adds Missing to the baseline flags;
/// none at all leaves the baseline unknown and the asset's delivery zero). N = 0: no baseline, delivery = metered.</para>
/// <para>Delivery, for the time covered by data: discharge: export − baseline export; charge: import − baseline
/// import; curtail: baseline export − export. Time not covered by data (no record, no average or flagged Missing)
/// delivers zero and flags the interval Missing. A settlement interval's delivered kW is its delivered energy over
/// its length.</para>
/// <para>Capacity payment: attributed to cohorts in proportion to their delivered energy (a negative total counts as
/// zero), each share rounded down to the cent, the cents left over to the cohort with the most delivered energy
/// (ties: cohort name, ordinal). When no cohort delivered, nothing is attributed.</para>
/// </remarks>
public sealed class SettlementReportBuilder
{
    /// <summary>The most settlement intervals one report holds (a day at one second).</summary>
    public const int MaximumIntervals = 86_400;

    private const decimal Cent = 0.01m;

    /// <summary>Builds the report; throws <see cref="ArgumentException"/> on an inconsistent input.</summary>
    public SettlementReport Build(SettlementInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Validate(input);
        var window = input.WindowEnd - input.WindowStart;
        var assets = Assets(input);
        var telemetry = Telemetry(input, assets);
        var step = input.SettlementInterval
            ?? (telemetry.Count == 0 ? window : telemetry.Values.Max(t => t.Interval));
        if (step <= TimeSpan.Zero) throw new ArgumentException("The settlement interval must be positive.", nameof(input));
        if (window.Ticks / step.Ticks > MaximumIntervals)
            throw new ArgumentException($"The settlement interval {step} cuts the window {window} into more than {MaximumIntervals} intervals.", nameof(input));
        var grid = Grid(input.WindowStart, input.WindowEnd, step);

        var perAsset = new List<(AssetInfo Asset, Baseline Baseline, List<AssetIntervalRow> Rows)>();
        foreach (var asset in assets)
        {
            telemetry.TryGetValue(asset.AssetId, out var t);
            var records = Sorted(input, t);
            var baseline = t is null ? new Baseline(null, QualityFlags.Missing) : BaselineOf(input, records, t.Interval);
            var inWindow = records.Where(r => r.Start + r.Length > input.WindowStart && r.Start < input.WindowEnd).ToList();
            var rows = new List<AssetIntervalRow>(grid.Count);
            var next = 0;
            foreach (var (start, end) in grid)
            {
                while (next < inWindow.Count && inWindow[next].Start + inWindow[next].Length <= start) next++;
                rows.Add(Row(input.Direction, asset, baseline, inWindow, next, start, end));
            }
            perAsset.Add((asset, baseline, rows));
        }

        var assetRows = perAsset.SelectMany(a => a.Rows)
            .OrderBy(r => r.Start).ThenBy(r => r.Cohort, StringComparer.Ordinal).ThenBy(r => r.AssetId, StringComparer.Ordinal)
            .ToList();
        var cohortRows = assetRows
            .GroupBy(r => (r.Start, r.End, r.Cohort))
            .Select(g => new CohortIntervalRow(g.Key.Start, g.Key.End, g.Key.Cohort, g.Count(),
                g.Sum(r => r.InstructedKw), g.Sum(r => r.MeteredKw ?? 0), g.Sum(r => r.MeteredKw is null ? 0 : r.BaselineKw ?? 0),
                g.Sum(r => r.DeliveredKw), g.Count(r => r.IsFlagged), Union(g)))
            .OrderBy(r => r.Start).ThenBy(r => r.Cohort, StringComparer.Ordinal)
            .ToList();
        var fleetRows = new List<FleetIntervalRow>();
        var byStart = assetRows.ToLookup(r => r.Start);
        foreach (var (start, end) in grid)
        {
            var rows = byStart[start].ToList();
            var delivered = rows.Sum(r => r.DeliveredKw) / 1000;
            fleetRows.Add(new FleetIntervalRow(start, end, input.MegawattsRequested, rows.Sum(r => r.InstructedKw) / 1000, delivered,
                Ratio(delivered, input.MegawattsRequested), rows.Count(r => r.IsFlagged), Union(rows)));
        }

        var assetTotals = perAsset
            .Select(a => new AssetTotal(a.Asset.AssetId, a.Asset.SiteId, a.Asset.Cohort,
                a.Rows.Sum(r => r.InstructedKw * Hours(r)) / 1000, a.Rows.Sum(r => r.DeliveredKw * Hours(r)) / 1000, null,
                a.Rows.Count(r => r.IsFlagged), a.Baseline.Kw, a.Baseline.Flags))
            .Select(t => t with { PerformanceRatio = Ratio(t.DeliveredMwh, t.InstructedMwh) })
            .OrderBy(t => t.Cohort, StringComparer.Ordinal).ThenBy(t => t.AssetId, StringComparer.Ordinal)
            .ToList();
        var cohortTotals = assetTotals
            .GroupBy(t => t.Cohort, StringComparer.Ordinal)
            .Select(g => new CohortTotal(g.Key, g.Count(), g.Sum(t => t.InstructedMwh), g.Sum(t => t.DeliveredMwh), null,
                g.Sum(t => t.FlaggedIntervals), 0m))
            .Select(t => t with { PerformanceRatio = Ratio(t.DeliveredMwh, t.InstructedMwh) })
            .OrderBy(t => t.Cohort, StringComparer.Ordinal)
            .ToList();
        var requestedMwh = input.MegawattsRequested * window.TotalHours;
        var deliveredMwh = assetTotals.Sum(t => t.DeliveredMwh);
        var fleet = new FleetTotal(requestedMwh, assetTotals.Sum(t => t.InstructedMwh), deliveredMwh, Ratio(deliveredMwh, requestedMwh),
            assetTotals.Sum(t => t.FlaggedIntervals));

        var (payment, shares) = Attribute(input, cohortTotals);
        cohortTotals = cohortTotals.Select((c, i) => c with { CapacityPayment = shares[i] }).ToList();

        return new SettlementReport(input.DispatchId, input.ResourceId, input.Direction, input.MegawattsRequested,
            input.WindowStart, input.WindowEnd, step,
            input.BaselineIntervals == 0
                ? "none: baseline 0 kW, delivery = metered"
                : $"average active power over the {input.BaselineIntervals} telemetry intervals (epoch grid) ending at or before the window start; intervals with data only, an absent one flags the baseline Missing; none: baseline unknown, delivery zero",
            DeliveryMethod(input.Direction) + "; records count by the time they overlap an interval; time without data (absent, no average or flagged Missing) delivers zero and flags the interval Missing",
            assetRows, cohortRows, fleetRows, assetTotals, cohortTotals, fleet, payment);
    }

    private static void Validate(SettlementInput input)
    {
        ArgumentNullException.ThrowIfNull(input.Schedule);
        ArgumentNullException.ThrowIfNull(input.Telemetry);
        if (input.WindowEnd <= input.WindowStart) throw new ArgumentException("The window must end after it starts.", nameof(input));
        if (!double.IsFinite(input.MegawattsRequested) || input.MegawattsRequested < 0)
            throw new ArgumentException("The request must be a finite, non-negative number of megawatts.", nameof(input));
        if (input.CapacityPricePerMw < 0) throw new ArgumentException("The capacity price must not be negative.", nameof(input));
        if (input.BaselineIntervals < 0) throw new ArgumentException("The baseline interval count must not be negative.", nameof(input));
        foreach (var span in input.Schedule)
        {
            if (span.To <= span.From || !double.IsFinite(span.Kilowatts) || span.Kilowatts < 0)
                throw new ArgumentException($"Asset '{span.AssetId}': a span must end after it starts and hold a finite, non-negative kW.", nameof(input));
        }
    }

    private sealed record AssetInfo(string AssetId, string SiteId, string Cohort, IReadOnlyList<InstructedSpan> Spans);

    private sealed record Baseline(double? Kw, QualityFlags Flags);

    private static List<AssetInfo> Assets(SettlementInput input)
    {
        var assets = new List<AssetInfo>();
        foreach (var group in input.Schedule.GroupBy(s => s.AssetId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var spans = group.OrderBy(s => s.From).ToList();
            var first = spans[0];
            for (var i = 0; i < spans.Count; i++)
            {
                if (spans[i].SiteId != first.SiteId || spans[i].Program != first.Program)
                    throw new ArgumentException($"Asset '{group.Key}': its spans name more than one site or program.", nameof(input));
                if (i > 0 && spans[i].From < spans[i - 1].To)
                    throw new ArgumentException($"Asset '{group.Key}': its spans overlap at {spans[i].From:O}.", nameof(input));
            }
            assets.Add(new AssetInfo(group.Key, first.SiteId, first.Program, spans));
        }
        return assets;
    }

    private static Dictionary<string, AssetTelemetry> Telemetry(SettlementInput input, List<AssetInfo> assets)
    {
        var instructed = assets.Select(a => a.AssetId).ToHashSet(StringComparer.Ordinal);
        var telemetry = new Dictionary<string, AssetTelemetry>(StringComparer.Ordinal);
        foreach (var t in input.Telemetry)
        {
            if (!instructed.Contains(t.AssetId)) continue; // telemetry of assets not instructed plays no part
            if (t.Interval <= TimeSpan.Zero) throw new ArgumentException($"Asset '{t.AssetId}': the telemetry interval must be positive.", nameof(input));
            if (!telemetry.TryAdd(t.AssetId, t)) throw new ArgumentException($"Asset '{t.AssetId}' has telemetry twice.", nameof(input));
        }
        return telemetry;
    }

    /// <summary>The asset's records by start; checks they are its active power and do not overlap.</summary>
    private static List<IntervalRecord> Sorted(SettlementInput input, AssetTelemetry? telemetry)
    {
        if (telemetry is null) return [];
        var records = telemetry.ActivePower.OrderBy(r => r.Start).ToList();
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (r.Measurement != Measurement.ActivePowerW || r.AssetId != telemetry.AssetId)
                throw new ArgumentException($"Asset '{telemetry.AssetId}': a record of {r.AssetId} {r.Measurement} is not its active power.", nameof(input));
            if (r.Length <= TimeSpan.Zero) throw new ArgumentException($"Asset '{telemetry.AssetId}': the record at {r.Start:O} has no length.", nameof(input));
            if (i > 0 && r.Start < records[i - 1].Start + records[i - 1].Length)
                throw new ArgumentException($"Asset '{telemetry.AssetId}': the records at {records[i - 1].Start:O} and {r.Start:O} overlap.", nameof(input));
        }
        return records;
    }

    /// <summary>The settlement intervals: steps from the window start, the last cut at the window end.</summary>
    private static List<(DateTimeOffset Start, DateTimeOffset End)> Grid(DateTimeOffset from, DateTimeOffset to, TimeSpan step)
    {
        var grid = new List<(DateTimeOffset, DateTimeOffset)>();
        for (var start = from; start < to; start += step) grid.Add((start, start + step < to ? start + step : to));
        return grid;
    }

    private static Baseline BaselineOf(SettlementInput input, List<IntervalRecord> records, TimeSpan interval)
    {
        if (input.BaselineIntervals == 0) return new Baseline(0, QualityFlags.None);
        var byStart = new Dictionary<DateTimeOffset, IntervalRecord>();
        foreach (var r in records) byStart.TryAdd(r.Start, r);
        // The grid slot holding the window start is the dispatch's own; the baseline ends where it begins.
        var end = IntervalGrid.Floor(input.WindowStart, interval);
        var flags = QualityFlags.None;
        var sum = 0.0;
        var count = 0;
        for (var i = 1; i <= input.BaselineIntervals; i++)
        {
            byStart.TryGetValue(end - i * interval, out var r);
            if (r is not null && r.Length != interval) r = null; // not on the asset's grid: not a baseline interval
            if (Value(r) is { } watts)
            {
                sum += InDirection(input.Direction, watts);
                count++;
                flags |= r!.Flags;
            }
            else
            {
                flags |= (r?.Flags ?? QualityFlags.None) | QualityFlags.Missing;
            }
        }
        return new Baseline(count == 0 ? null : sum / count, flags);
    }

    private static AssetIntervalRow Row(DispatchDirection direction, AssetInfo asset, Baseline baseline,
        List<IntervalRecord> records, int first, DateTimeOffset start, DateTimeOffset end)
    {
        var length = (end - start).TotalHours;
        var instructed = 0.0;
        foreach (var span in asset.Spans)
        {
            var overlap = Min(span.To, end) - Max(span.From, start);
            if (overlap > TimeSpan.Zero) instructed += span.Kilowatts * overlap.TotalHours / length;
        }

        var flags = QualityFlags.None;
        var covered = TimeSpan.Zero;
        double metered = 0, delivered = 0;
        for (var i = first; i < records.Count && records[i].Start < end; i++)
        {
            var r = records[i];
            var overlap = Min(r.Start + r.Length, end) - Max(r.Start, start);
            if (overlap <= TimeSpan.Zero) continue;
            if (Value(r) is not { } watts)
            {
                flags |= r.Flags | QualityFlags.Missing;
                continue;
            }
            flags |= r.Flags;
            var kw = InDirection(direction, watts);
            var hours = overlap.TotalHours;
            covered += overlap;
            metered += kw * hours;
            if (baseline.Kw is { } b) delivered += (direction == DispatchDirection.Curtail ? b - kw : kw - b) * hours;
        }
        if (covered < end - start) flags |= QualityFlags.Missing;
        return new AssetIntervalRow(start, end, asset.AssetId, asset.SiteId, asset.Cohort, instructed,
            covered > TimeSpan.Zero ? metered / covered.TotalHours : null, baseline.Kw, delivered / length, flags, baseline.Flags);
    }

    /// <summary>The interval's average watts, or null when it does not count as data.</summary>
    private static double? Value(IntervalRecord? r) =>
        r is { Average: { } w } && double.IsFinite(w) && !r.Flags.HasFlag(QualityFlags.Missing) ? w : null;

    /// <summary>Kilowatts in the dispatch's direction: import positive when charging, export positive otherwise.</summary>
    private static double InDirection(DispatchDirection direction, double watts) =>
        (direction == DispatchDirection.Charge ? -watts : watts) / 1000;

    private static (CapacityPayment Payment, decimal[] Shares) Attribute(SettlementInput input, List<CohortTotal> cohorts)
    {
        var amount = Math.Round(input.CapacityPricePerMw * (decimal)input.MegawattsRequested, 2, MidpointRounding.AwayFromZero);
        var weights = cohorts.Select(c => (decimal)Math.Max(0, c.DeliveredMwh)).ToArray();
        var total = weights.Sum();
        var shares = new decimal[cohorts.Count];
        const string Method = "price x requested MW, rounded to the cent; attributed to cohorts in proportion to delivered energy (negative as zero), each share rounded down to the cent, the remainder to the cohort with the most delivered energy";
        if (total == 0 || amount == 0)
            return (new CapacityPayment(input.CapacityPricePerMw, input.Currency, amount, 0, amount, Method + "; nothing delivered: unattributed"), shares);
        for (var i = 0; i < shares.Length; i++) shares[i] = Math.Floor(amount * weights[i] / total / Cent) * Cent;
        var largest = Enumerable.Range(0, cohorts.Count)
            .OrderByDescending(i => weights[i]).ThenBy(i => cohorts[i].Cohort, StringComparer.Ordinal).First();
        shares[largest] += amount - shares.Sum();
        return (new CapacityPayment(input.CapacityPricePerMw, input.Currency, amount, amount, 0, Method), shares);
    }

    private static string DeliveryMethod(DispatchDirection direction) => direction switch
    {
        DispatchDirection.Discharge => "discharge: delivered = metered export - baseline export (kW, export positive)",
        DispatchDirection.Charge => "charge: delivered = metered import - baseline import (kW, import positive)",
        _ => "curtail: delivered = baseline export - metered export (kW, export positive)",
    };

    private static double Hours(AssetIntervalRow row) => (row.End - row.Start).TotalHours;

    private static double? Ratio(double value, double of) => of > 0 ? value / of : null;

    private static QualityFlags Union(IEnumerable<AssetIntervalRow> rows) =>
        rows.Aggregate(QualityFlags.None, (f, r) => f | r.Flags | r.BaselineFlags);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
