using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.EdgeAgent.Hosting;
using Nexwatt.EdgeAgent.Tests.Buffer;
using Nexwatt.EdgeAgent.Uplink;
using Nexwatt.Protos;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests;

/// <summary>
/// The pump's guarantee in process, with a real buffer and a transport of the test's: a chunk leaves the buffer only
/// once its batch was acknowledged, so a session lost part-way loses nothing and the next one sends the rest.
/// </summary>
public sealed class UplinkPumpTests : IDisposable
{
    // Sub-millisecond on purpose: the wire carries microseconds, and nothing on the way may round them off.
    private static readonly DateTimeOffset Now = new DateTimeOffset(2026, 12, 4, 1, 2, 3, TimeSpan.Zero).AddTicks(1_234_567);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _clock = new(Now);

    public void Dispose() => _folder.Dispose();

    private UplinkPump Pump(ReadingBuffer buffer) => new(buffer, AgentIdentity.ForSite("site-1"),
        new UplinkOptions { MaxBatchReadings = 3, BackfillReadingsPerSecond = 1_000_000 }, _clock, NullLogger.Instance);

    [Fact]
    public async Task A_backlog_goes_out_in_order_marked_historical_with_microsecond_send_times_and_leaves_the_buffer()
    {
        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, NullLogger.Instance);
        for (var i = 0; i < 4; i++) await buffer.AppendAsync($"device-{i}", TempFolder.Readings(3), CancellationToken.None);

        var transport = new RecordingTransport(expectedReadings: 12);
        using var stop = new CancellationTokenSource();
        var session = Pump(buffer).RunSessionAsync(transport, stop.Token);
        await transport.AllReceived.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => buffer.GetStatistics().ReadingsBuffered == 0);
        await StopAsync(session, stop);

        var sequences = transport.Batches.SelectMany(b => b.Readings).Select(r => r.Sequence).ToList();
        Assert.Equal(12, sequences.Count);
        Assert.Equal(sequences.Order(), sequences);
        Assert.All(transport.Batches, b => Assert.True(b.Historical));
        Assert.All(transport.Batches, b => Assert.Equal(WireTime.ToMicroseconds(Now), b.SentTimeUs));
        Assert.Equal(1_796_346_123_123_456, transport.Batches[0].SentTimeUs);
    }

    [Fact]
    public async Task A_session_lost_part_way_keeps_what_was_not_acknowledged_and_the_next_session_sends_it()
    {
        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, NullLogger.Instance);
        for (var i = 0; i < 4; i++) await buffer.AppendAsync($"device-{i}", TempFolder.Readings(3), CancellationToken.None);

        var failing = new RecordingTransport(expectedReadings: int.MaxValue, failOnBatch: 2);
        await Assert.ThrowsAsync<IOException>(() => Pump(buffer).RunSessionAsync(failing, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        var delivered = failing.Batches.Take(1).SelectMany(b => b.Readings).Select(r => r.Sequence).ToHashSet();
        Assert.Equal(3, delivered.Count);
        await WaitUntilAsync(() => buffer.GetStatistics().ReadingsBuffered == 9);

        var transport = new RecordingTransport(expectedReadings: 9);
        using var stop = new CancellationTokenSource();
        var session = Pump(buffer).RunSessionAsync(transport, stop.Token);
        await transport.AllReceived.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => buffer.GetStatistics().ReadingsBuffered == 0);
        await StopAsync(session, stop);

        var rest = transport.Batches.SelectMany(b => b.Readings).Select(r => r.Sequence).ToList();
        Assert.Empty(rest.Intersect(delivered));
        Assert.Equal(12, delivered.Union(rest).Count());
    }

    [Fact]
    public async Task The_uplink_heartbeat_is_idle_between_sessions()
    {
        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, NullLogger.Instance);
        var liveness = new AgentLiveness(_clock);
        using var heartbeat = liveness.Register("the uplink");
        var pump = new UplinkPump(buffer, AgentIdentity.ForSite("site-1"), new UplinkOptions(), _clock, NullLogger.Instance, heartbeat);
        var failing = new RecordingTransport(expectedReadings: int.MaxValue, failOnBatch: 1);
        await buffer.AppendAsync("device", TempFolder.Readings(1), CancellationToken.None);
        await Assert.ThrowsAsync<IOException>(() => pump.RunSessionAsync(failing, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Null(liveness.FindStalled(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Ends a session the way the agent's stop does: cancelled, which it reports as cancellation.</summary>
    private static async Task StopAsync(Task session, CancellationTokenSource stop)
    {
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        // The acknowledgement's commit follows the transport's return on the buffer's own writer loop.
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }

    private sealed class RecordingTransport(int expectedReadings, int failOnBatch = 0) : IBatchTransport
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _readings;

        public List<TelemetryBatch> Batches { get; } = [];

        public Task AllReceived => _all.Task;

        public int MaxBatchBytes => 1 << 20;

        public ValueTask SendAsync(TelemetryBatch batch, CancellationToken cancellationToken)
        {
            lock (Batches)
            {
                if (Batches.Count + 1 == failOnBatch) throw new IOException("the link dropped");
                Batches.Add(batch.Clone());
                if ((_readings += batch.Readings.Count) >= expectedReadings) _all.TrySetResult();
            }
            return ValueTask.CompletedTask;
        }
    }
}
