using System.Diagnostics;
using Google.Protobuf;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Normalization;
using Nexwatt.Protos.V1;

namespace Nexwatt.Bench.CollectorIngest;

/// <summary>
/// CPU cost of the in-memory stages of one batch, measured on one thread with nothing else in flight (median of
/// <see cref="Rounds"/>): the agent's side (build the batch, serialize it) and the collector's (parse, map to
/// <see cref="IngestedReading"/>, normalize). The mapping is re-enacted with the public record (the product's
/// <c>TelemetryMapping</c> is internal, field for field the same); parse and normalize are the product's code.
/// What is left of the collector's CPU per batch is transport (HTTP/2, MQTT) and the store calls.
/// </summary>
internal static class PipelineCosts
{
    private const int Rounds = 300;

    public sealed record Costs(double BuildMicroseconds, double SerializeMicroseconds, double ParseMicroseconds, double MapMicroseconds,
        double NormalizeMicroseconds, int Bytes, int Samples);

    public static Costs Measure()
    {
        var polls = new InverterPolls("site-costs", "inverter-1");
        var asset = new AssetRecord("asset-costs", AssetType.Solar, "bench", 10, null, null, "PJM", TimeSpan.FromSeconds(5), "site-costs", "inverter-1",
            AssetStatus.Active, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(-1));
        var normalizer = new Normalizer();
        var (build, serialize, parse, map, normalize) = (new List<double>(), new List<double>(), new List<double>(), new List<double>(), new List<double>());
        int bytes = 0, samples = 0;
        for (var round = -20; round < Rounds; round++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var batch = polls.Next(IngestLoad.NowMicroseconds());
            var t1 = Stopwatch.GetTimestamp();
            var payload = batch.ToByteArray();
            var t2 = Stopwatch.GetTimestamp();
            var parsed = TelemetryBatch.Parser.ParseFrom(payload);
            var t3 = Stopwatch.GetTimestamp();
            var received = DateTimeOffset.UtcNow;
            var readings = parsed.Readings.Select(r => new IngestedReading("site-costs", r.Sequence, r.DeviceId, (ushort)r.ModelId, (int)r.ModelInstance, r.Point,
                r.HasValue ? r.Value : null, string.IsNullOrEmpty(r.Text) ? null : r.Text, r.Unit,
                r.Quality == Quality.NotImplemented ? EdgeQuality.NotImplemented : EdgeQuality.Good,
                DateTimeOffset.UnixEpoch.AddTicks(r.SourceTimeUs * 10), received, parsed.Historical)).ToList();
            var t4 = Stopwatch.GetTimestamp();
            var result = normalizer.Normalize(readings, asset);
            var t5 = Stopwatch.GetTimestamp();
            if (round < 0) continue;
            build.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMicroseconds);
            serialize.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMicroseconds);
            parse.Add(Stopwatch.GetElapsedTime(t2, t3).TotalMicroseconds);
            map.Add(Stopwatch.GetElapsedTime(t3, t4).TotalMicroseconds);
            normalize.Add(Stopwatch.GetElapsedTime(t4, t5).TotalMicroseconds);
            (bytes, samples) = (payload.Length, result.Samples.Count);
        }
        return new Costs(Harness.Statistics.Median(build), Harness.Statistics.Median(serialize), Harness.Statistics.Median(parse),
            Harness.Statistics.Median(map), Harness.Statistics.Median(normalize), bytes, samples);
    }
}
