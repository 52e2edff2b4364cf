using Nexwatt.Protos.V1;

namespace Nexwatt.Bench.CollectorIngest;

/// <summary>
/// Telemetry of one site shaped like the agent's: polls of a three-phase inverter's SunSpec model 103 (the 31
/// points <c>ReadingFactory</c> keeps: no ID, L or scale factors; the temperatures, vendor states and vendor events
/// a typical inverter leaves unimplemented come as NotImplemented), one source time per poll, sequences strictly
/// increasing per site. A batch is <see cref="PollsPerBatch"/> polls (992 readings).
/// </summary>
internal sealed class InverterPolls(string siteId, string deviceId)
{
    public const int PollsPerBatch = 32;
    public const int ReadingsPerBatch = PollsPerBatch * PointsPerPoll;
    private const int PointsPerPoll = 31;

    // Point, unit (model_103.json), typical value of a 10 kW inverter; null = not implemented on this device.
    private static readonly (string Point, string Unit, double? Value, string Text)[] Points =
    [
        ("A", "A", 21.7, ""), ("AphA", "A", 7.2, ""), ("AphB", "A", 7.3, ""), ("AphC", "A", 7.2, ""),
        ("PPVphAB", "V", 400.1, ""), ("PPVphBC", "V", 399.6, ""), ("PPVphCA", "V", 400.4, ""),
        ("PhVphA", "V", 230.9, ""), ("PhVphB", "V", 230.7, ""), ("PhVphC", "V", 231.2, ""),
        ("W", "W", 4980, ""), ("Hz", "Hz", 50.01, ""), ("VA", "VA", 5010, ""), ("VAr", "var", -120, ""), ("PF", "Pct", 99.4, ""),
        ("WH", "Wh", 18_442_310, ""), ("DCA", "A", 12.9, ""), ("DCV", "V", 402.5, ""), ("DCW", "W", 5190, ""),
        ("TmpCab", "C", 41.5, ""), ("TmpSnk", "C", null, ""), ("TmpTrns", "C", null, ""), ("TmpOt", "C", null, ""),
        ("St", "", 4, "MPPT"), ("StVnd", "", null, ""), ("Evt1", "", 0, ""), ("Evt2", "", 0, ""),
        ("EvtVnd1", "", null, ""), ("EvtVnd2", "", null, ""), ("EvtVnd3", "", null, ""), ("EvtVnd4", "", null, ""),
    ];

    private ulong _nextSequence = 1;

    public string SiteId { get; } = siteId;

    /// <summary>Sequences handed out so far: the unique readings this site has produced.</summary>
    public long Produced => (long)(_nextSequence - 1);

    /// <summary>
    /// The next batch; its polls are stamped 1 ms apart, the last one at <paramref name="lastPollTimeUs"/>
    /// (the send time when latency is measured).
    /// </summary>
    public TelemetryBatch Next(long lastPollTimeUs)
    {
        var batch = new TelemetryBatch
        {
            SiteId = SiteId,
            AgentBootId = "bench",
            FirstSequence = _nextSequence,
            LastSequence = _nextSequence + ReadingsPerBatch - 1,
            SentTimeUs = lastPollTimeUs,
        };
        for (var poll = 0; poll < PollsPerBatch; poll++)
        {
            var sourceTimeUs = lastPollTimeUs - (PollsPerBatch - 1 - poll) * 1000L;
            var wobble = 1 + 0.001 * ((_nextSequence / PointsPerPoll) % 7);
            foreach (var (point, unit, value, text) in Points)
            {
                var reading = new Reading
                {
                    Sequence = _nextSequence++, DeviceId = deviceId, ModelId = 103, Point = point, Unit = unit, Text = text,
                    Quality = value is null ? Quality.NotImplemented : Quality.Good, SourceTimeUs = sourceTimeUs,
                };
                if (value is { } v) reading.Value = point is "St" or "Evt1" or "Evt2" ? v : Math.Round(v * wobble, 2);
                batch.Readings.Add(reading);
            }
        }
        return batch;
    }

    /// <summary>Batch index (0-based) of a sequence number of this site.</summary>
    public static int BatchOf(ulong sequence) => (int)((sequence - 1) / ReadingsPerBatch);
}
