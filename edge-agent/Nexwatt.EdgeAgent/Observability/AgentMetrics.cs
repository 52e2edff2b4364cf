using System.Diagnostics.Metrics;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.EdgeAgent.Polling;

namespace Nexwatt.EdgeAgent.Observability;

/// <summary>
/// The agent's instruments on one <see cref="Meter"/> from the host's <see cref="IMeterFactory"/>. Names follow the
/// OpenTelemetry conventions (dots, a unit per instrument); the Prometheus exporter turns them into
/// <c>nexwatt_agent_device_polls_total</c>, <c>nexwatt_agent_device_poll_duration_seconds</c> and so on. Counters are
/// recorded where things happen; levels (buffer depth, reading age, breaker) are observed at scrape time from the
/// objects that own them, so nothing is kept twice. Process memory and GC come from the runtime's own
/// "System.Runtime" meter.
/// </summary>
internal sealed class AgentMetrics
{
    public const string MeterName = "Nexwatt.EdgeAgent";

    private readonly Counter<long> _polls;
    private readonly Counter<long> _pollErrors;
    private readonly Histogram<double> _pollDuration;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _readingsSent;
    private readonly Histogram<double> _ackDuration;
    private readonly long[] _setpointsRejected = new long[Enum.GetValues<SetpointRejection>().Length];
    private long _setpointsReceived;
    private long _setpointsApplied;
    private long _setpointsPartial;

    public AgentMetrics(IMeterFactory meters, DeviceHealthBoard devices, ReadingBuffer buffer, BufferingReadingSink sink, UplinkStatus uplink, TimeProvider time)
    {
        var meter = meters.Create(MeterName);
        var started = time.GetUtcNow();
        _polls = meter.CreateCounter<long>("nexwatt.agent.device.polls", "{poll}", "Device polls, by device and outcome (ok, error).");
        _pollErrors = meter.CreateCounter<long>("nexwatt.agent.device.errors", "{error}", "Failed device polls, by device and kind (timeout, io, device_exception, protocol, other).");
        _pollDuration = meter.CreateHistogram("nexwatt.agent.device.poll.duration", "s", "How long one successful poll of a device took.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        meter.CreateObservableGauge("nexwatt.agent.device.last_reading.age", () => ReadingAges(devices, started, time), "s",
            "Seconds since the device was last read successfully (since start when it never was).");
        meter.CreateObservableGauge("nexwatt.agent.device.breaker.open", () => Breakers(devices), null,
            "1 while the device is backed off after failed polls, 0 while it is polled at its cadence.");
        meter.CreateObservableGauge("nexwatt.agent.device.consecutive_failures", () => Failures(devices), "{failure}",
            "Failed polls in a row; 0 after a good poll.");

        meter.CreateObservableGauge("nexwatt.agent.buffer.readings", () => buffer.GetStatistics().ReadingsBuffered, "{reading}",
            "Readings stored in the buffer and not yet acknowledged by the collector.");
        meter.CreateObservableGauge("nexwatt.agent.buffer.size", () => buffer.GetStatistics().BytesOnDisk, "By",
            "The buffer database and its write-ahead log on disk.");
        meter.CreateObservableGauge("nexwatt.agent.buffer.oldest.age", () => OldestAge(buffer, time), "s",
            "Age of the oldest reading in the buffer (0 when empty).");
        meter.CreateObservableCounter("nexwatt.agent.buffer.evicted", () => buffer.GetStatistics().ReadingsEvictedTotal, "{reading}",
            "Readings evicted because the buffer was full, over the buffer's life; each was announced upstream as a gap.");
        meter.CreateObservableGauge("nexwatt.agent.buffer.writable", () => sink.IsHealthy ? 1 : 0, null,
            "1 while the buffer stores every poll, 0 while polls wait in memory for it.");
        meter.CreateObservableGauge("nexwatt.agent.buffer.written", () => buffer.GetStatistics().BytesWrittenPerDay, "By/d",
            "Bytes the buffer writes to the flash per day (estimated from the writes since start).");

        meter.CreateObservableGauge("nexwatt.agent.uplink.connected", () => new Measurement<int>(uplink.Connected ? 1 : 0,
            new KeyValuePair<string, object?>("transport", uplink.Transport)), null, "1 while an uplink session to the collector is up.");
        meter.CreateObservableGauge("nexwatt.agent.uplink.ever_connected", () => new Measurement<int>(uplink.EverConnected ? 1 : 0,
            new KeyValuePair<string, object?>("transport", uplink.Transport)), null, "0 until the uplink delivered a first batch (or no uplink is configured).");
        meter.CreateObservableGauge("nexwatt.agent.uplink.last_delivery.age", () => ((uplink.LastDelivery ?? uplink.Started) - time.GetUtcNow()).Duration().TotalSeconds, "s",
            "Seconds since the collector last acknowledged a batch (since start when it never did).");
        _batches = meter.CreateCounter<long>("nexwatt.agent.uplink.batches", "{batch}", "Batches acknowledged by the collector, by transport and kind (live, backfill).");
        _readingsSent = meter.CreateCounter<long>("nexwatt.agent.uplink.readings", "{reading}",
            "Readings acknowledged by the collector, by kind; the rate of kind=\"backfill\" is how fast a backlog drains.");
        _ackDuration = meter.CreateHistogram("nexwatt.agent.uplink.ack.duration", "s", "From sending a batch to its acknowledgement.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

        // Observed from plain counts, so every series is there at zero from the first scrape: a rate over a series that
        // appears only with its first setpoint misses that one.
        meter.CreateObservableCounter("nexwatt.agent.setpoints.received", () => Interlocked.Read(ref _setpointsReceived), "{setpoint}",
            "Setpoints received from the collector.");
        meter.CreateObservableCounter("nexwatt.agent.setpoints.rejected", () => Enum.GetValues<SetpointRejection>().Select(r =>
            new Measurement<long>(Interlocked.Read(ref _setpointsRejected[(int)r]), RejectionLabel(r))), "{setpoint}",
            "Setpoints refused, by reason (verification, site_limit, targets).");
        meter.CreateObservableCounter("nexwatt.agent.setpoints.applied", () => new[]
        {
            new Measurement<long>(Interlocked.Read(ref _setpointsApplied), new KeyValuePair<string, object?>("outcome", "applied")),
            new Measurement<long>(Interlocked.Read(ref _setpointsPartial), new KeyValuePair<string, object?>("outcome", "partial")),
        }, "{setpoint}", "Setpoints applied, by outcome (applied, partial).");
    }

    public void PollSucceeded(string deviceId, TimeSpan elapsed)
    {
        var device = new KeyValuePair<string, object?>("device", deviceId);
        _polls.Add(1, device, new KeyValuePair<string, object?>("outcome", "ok"));
        _pollDuration.Record(elapsed.TotalSeconds, device);
    }

    public void PollFailed(string deviceId, Exception error)
    {
        var device = new KeyValuePair<string, object?>("device", deviceId);
        _polls.Add(1, device, new KeyValuePair<string, object?>("outcome", "error"));
        _pollErrors.Add(1, device, new KeyValuePair<string, object?>("kind", ErrorKind(error)));
    }

    public void BatchDelivered(string transport, bool historical, int readings, TimeSpan elapsed)
    {
        var kind = new KeyValuePair<string, object?>("kind", historical ? "backfill" : "live");
        _batches.Add(1, new KeyValuePair<string, object?>("transport", transport), kind);
        if (readings > 0) _readingsSent.Add(readings, kind);
        _ackDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("transport", transport));
    }

    public void SetpointReceived() => Interlocked.Increment(ref _setpointsReceived);

    public void SetpointRejected(SetpointRejection reason) => Interlocked.Increment(ref _setpointsRejected[(int)reason]);

    private static KeyValuePair<string, object?> RejectionLabel(SetpointRejection reason) => new("reason", reason switch
    {
        SetpointRejection.Verification => "verification",
        SetpointRejection.SiteLimit => "site_limit",
        _ => "targets",
    });

    public void SetpointApplied(bool partial)
    {
        if (partial) Interlocked.Increment(ref _setpointsPartial);
        else Interlocked.Increment(ref _setpointsApplied);
    }

    /// <summary>A bounded label for an exception the device source counted as a device fault.</summary>
    internal static string ErrorKind(Exception error) => error switch
    {
        TimeoutException => "timeout",
        Protocols.Modbus.ModbusCommunicationException or Protocols.Modbus.ModbusDeviceUnavailableException
            or IOException or System.Net.Sockets.SocketException or System.Net.Http.HttpRequestException => "io",
        Protocols.Modbus.ModbusRemoteException => "device_exception",
        Protocols.Modbus.ModbusProtocolException or InvalidDataException or FormatException or System.Text.Json.JsonException => "protocol",
        _ => "other",
    };

    private static IEnumerable<Measurement<double>> ReadingAges(DeviceHealthBoard devices, DateTimeOffset started, TimeProvider time)
    {
        var now = time.GetUtcNow();
        foreach (var device in devices.Snapshot())
            yield return new Measurement<double>(((device.LastSuccess ?? started) - now).Duration().TotalSeconds,
                new KeyValuePair<string, object?>("device", device.DeviceId));
    }

    private static IEnumerable<Measurement<int>> Breakers(DeviceHealthBoard devices) =>
        devices.Snapshot().Select(d => new Measurement<int>(d.ConsecutiveFailures > 0 ? 1 : 0, new KeyValuePair<string, object?>("device", d.DeviceId)));

    private static IEnumerable<Measurement<int>> Failures(DeviceHealthBoard devices) =>
        devices.Snapshot().Select(d => new Measurement<int>(d.ConsecutiveFailures, new KeyValuePair<string, object?>("device", d.DeviceId)));

    private static double OldestAge(ReadingBuffer buffer, TimeProvider time) =>
        buffer.GetStatistics().OldestTimeUs is { } oldest ? Math.Max(0, (time.GetUtcNow() - Protos.WireTime.FromMicroseconds(oldest)).TotalSeconds) : 0;
}

/// <summary>Why a setpoint was refused, as a bounded metric label (the reason text goes to the log and the ack).</summary>
internal enum SetpointRejection
{
    /// <summary>Not trusted, not for this site, out of time or unreadable.</summary>
    Verification,

    /// <summary>Over the site's limits.</summary>
    SiteLimit,

    /// <summary>Every target was refused (limits, unreachable device, or the device did not apply it).</summary>
    Targets,
}
