using System.Diagnostics.Metrics;
using Nexwatt.Collector.Dispatch;
using Nexwatt.Collector.Ingest;

namespace Nexwatt.Collector.Observability;

/// <summary>
/// The collector's instruments on one <see cref="Meter"/> from the host's <see cref="IMeterFactory"/>, scraped on the
/// management port at /metrics in Prometheus text format (docs/decisions/0007). Counters are recorded where things
/// happen; refusal counts and per-site last-seen are observed at scrape time from the classes that keep them.
/// </summary>
internal sealed class CollectorMetrics
{
    public const string MeterName = "Nexwatt.Collector";

    private readonly Counter<long> _batches;
    private readonly Counter<long> _readings;
    private readonly Counter<long> _duplicates;
    private readonly Histogram<double> _storeDuration;
    private readonly Histogram<double> _dispatchLatency;

    public CollectorMetrics(IMeterFactory meters, MqttRefusals mqttRefusals, GrpcMessageRefusals grpcRefusals, SiteActivity activity,
        IntervalWorkerStatus worker, TimeProvider time)
    {
        var meter = meters.Create(MeterName);
        _batches = meter.CreateCounter<long>("nexwatt.collector.ingest.batches", "{batch}", "Telemetry batches ingested, by transport (grpc, mqtt).");
        _readings = meter.CreateCounter<long>("nexwatt.collector.ingest.readings", "{reading}", "Readings received, by transport.");
        _duplicates = meter.CreateCounter<long>("nexwatt.collector.ingest.duplicates", "{reading}",
            "Readings received again (same site and sequence) and not stored twice, by transport.");
        _storeDuration = meter.CreateHistogram("nexwatt.collector.store.duration", "s", "Storing one batch (raw readings, gaps, samples).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _dispatchLatency = meter.CreateHistogram("nexwatt.collector.dispatch.latency", "s",
            "From a setpoint sent to a site (an ISO instruction, or a re-allocation) to the site's answer, by outcome (applied, partial, rejected; timeout or dropped when none came).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
        meter.CreateObservableCounter("nexwatt.collector.ingest.refused", () => Refusals(mqttRefusals, grpcRefusals), "{message}",
            "Messages refused, by transport and reason.");
        meter.CreateObservableGauge("nexwatt.collector.interval_worker.lag", () => worker.Lag(time.GetUtcNow()).TotalSeconds, "s",
            "Seconds since the interval worker last finished a round (it runs every second).");
        meter.CreateObservableGauge("nexwatt.collector.site.last_seen.age", () => activity.KnownSites().Select(site =>
            new Measurement<double>(activity.LastSeen(site) is { } seen ? (time.GetUtcNow() - seen).TotalSeconds : double.NaN,
                new KeyValuePair<string, object?>("site", site))).Where(m => !double.IsNaN(m.Value)), "s",
            "Seconds since the site's last telemetry or stream activity.");
    }

    public void BatchIngested(string transport, IngestResult result, TimeSpan storing)
    {
        var tag = new KeyValuePair<string, object?>("transport", transport);
        _batches.Add(1, tag);
        _readings.Add(result.Received, tag);
        if (result.Duplicates > 0) _duplicates.Add(result.Duplicates, tag);
        _storeDuration.Record(storing.TotalSeconds, tag);
    }

    /// <summary>
    /// A site answered a setpoint (or failed to): <paramref name="latency"/> from the start of its confirmation clock
    /// (issue, or the window start for a setpoint issued ahead of its window), never below zero.
    /// </summary>
    public void SetpointAnswered(string outcome, TimeSpan latency) =>
        _dispatchLatency.Record(Math.Max(0, latency.TotalSeconds), new KeyValuePair<string, object?>("outcome", outcome));

    private static IEnumerable<Measurement<long>> Refusals(MqttRefusals mqtt, GrpcMessageRefusals grpc)
    {
        foreach (var reason in MqttRefusalReasons.All)
            yield return new Measurement<long>(mqtt.Count(reason), new("transport", "mqtt"), new("reason", reason.Replace(' ', '_')));
        yield return new Measurement<long>(grpc.Total, new("transport", "grpc"), new("reason", "unreadable_message"));
    }
}
