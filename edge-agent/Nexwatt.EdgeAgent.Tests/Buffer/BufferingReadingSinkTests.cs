using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Readings;
using Proto = Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Tests.Buffer;

/// <summary>The sink that buffers every poll, its conversion to wire readings, and the buffer's configuration checks.</summary>
public sealed class BufferingReadingSinkTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 6, 21, 12, 0, 0, 123, TimeSpan.Zero);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_reading_converts_to_the_wire_format_with_quality_microseconds_text_and_units()
    {
        var good = BufferingReadingSink.ToWire(new Reading("inv", 103, 1, "W", 1234.5, null, "W", ReadingQuality.Good, At.AddTicks(4560)));
        Assert.Equal(("inv", 103u, 1u, "W", 1234.5, "", "W", Proto.Quality.Good), (good.DeviceId, good.ModelId, good.ModelInstance, good.Point, good.Value, good.Text, good.Unit, good.Quality));
        Assert.Equal(At.ToUnixTimeMilliseconds() * 1000 + 456, good.SourceTimeUs);

        var missing = BufferingReadingSink.ToWire(new Reading("inv", 103, 0, "PF", null, null, null, ReadingQuality.NotImplemented, At));
        Assert.False(missing.HasValue);
        Assert.Equal((Proto.Quality.NotImplemented, ""), (missing.Quality, missing.Unit));

        var text = BufferingReadingSink.ToWire(new Reading("inv", 1, 0, "Mn", null, "Nexwatt", null, ReadingQuality.Good, At));
        Assert.Equal("Nexwatt", text.Text);
    }

    private static DeviceReadings Poll(string prefix, int count) =>
        new("site", "inv", At, [.. Enumerable.Range(0, count).Select(i => new Reading("inv", 103, 0, $"{prefix}{i}", i, null, "W", ReadingQuality.Good, At))]);

    private static BufferingReadingSink Sink(ReadingBuffer buffer, int maxHeld) =>
        new(buffer, Microsoft.Extensions.Options.Options.Create(new AgentOptions { Buffer = new BufferOptions { MaxReadingsHeldInMemory = maxHeld } }),
            NullLogger<BufferingReadingSink>.Instance);

    private static async Task<List<string>> StoredPointsAsync(ReadingBuffer buffer) =>
        [.. (await buffer.ReadAsync(0, ulong.MaxValue, 1_000_000, CancellationToken.None)).SelectMany(c => c.Readings).Select(r => r.Point)];

    [Fact]
    public async Task Polls_the_buffer_cannot_store_are_held_in_memory_and_stored_in_order_once_it_can_with_no_loss_announced()
    {
        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, new ListLogger());
        var sink = Sink(buffer, maxHeld: 10_000);
        await sink.WriteAsync(Poll("a", 2), CancellationToken.None);
        Assert.Equal(["a0", "a1"], await StoredPointsAsync(buffer));
        Assert.True(sink.IsHealthy);

        // The disk fills: the poller is not failed, and nothing it polled is dropped.
        await buffer.ExecuteForTestsAsync("PRAGMA max_page_count = 1");
        await sink.WriteAsync(Poll("b", 3000), CancellationToken.None);
        await sink.WriteAsync(Poll("c", 2), CancellationToken.None);
        Assert.Equal((3002, 0L, false), (sink.ReadingsHeld, sink.ReadingsLost, sink.IsHealthy));

        // Room again: the next poll first stores the held ones, oldest first, then itself.
        await buffer.ExecuteForTestsAsync("PRAGMA max_page_count = 1000000");
        await sink.WriteAsync(Poll("d", 1), CancellationToken.None);
        var expected = new List<string> { "a0", "a1" };
        expected.AddRange(Enumerable.Range(0, 3000).Select(i => $"b{i}"));
        expected.AddRange(["c0", "c1", "d0"]);
        Assert.Equal(expected, await StoredPointsAsync(buffer));
        Assert.Equal((0, 0L, true), (sink.ReadingsHeld, sink.ReadingsLost, sink.IsHealthy));
        Assert.Empty(await buffer.ReadGapsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_site_status_reports_the_buffer_unavailable_with_what_is_held_in_memory()
    {
        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, new ListLogger());
        var sink = Sink(buffer, maxHeld: 10_000);
        var status = new Nexwatt.EdgeAgent.Uplink.SiteStatusFactory(Nexwatt.EdgeAgent.AgentIdentity.ForSite("site"), new Nexwatt.EdgeAgent.Polling.DeviceHealthBoard(),
            buffer, TimeProvider.System, sink);
        Assert.False(status.Online().Buffer.Unavailable);

        await buffer.ExecuteForTestsAsync("PRAGMA max_page_count = 1");
        await sink.WriteAsync(Poll("b", 3000), CancellationToken.None);
        var stats = status.Online().Buffer;
        Assert.Equal((true, 3000UL, 0UL), (stats.Unavailable, stats.ReadingsHeldInMemory, stats.ReadingsLostTotal));

        await buffer.ExecuteForTestsAsync("PRAGMA max_page_count = 1000000");
        await sink.WriteAsync(Poll("c", 1), CancellationToken.None);
        stats = status.Online().Buffer;
        Assert.Equal((false, 0UL), (stats.Unavailable, stats.ReadingsHeldInMemory));
    }

    [Fact]
    public async Task Past_the_hold_bound_the_oldest_held_polls_are_counted_and_announced_as_a_gap()
    {
        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, new ListLogger());
        var sink = Sink(buffer, maxHeld: 3500);
        await buffer.ExecuteForTestsAsync("PRAGMA max_page_count = 1");
        await sink.WriteAsync(Poll("b", 3000), CancellationToken.None);
        await sink.WriteAsync(Poll("c", 3000), CancellationToken.None);
        Assert.Equal((3000, 3000L), (sink.ReadingsHeld, sink.ReadingsLost));

        await buffer.ExecuteForTestsAsync("PRAGMA max_page_count = 1000000");
        await sink.WriteAsync(Poll("d", 1), CancellationToken.None);
        Assert.Equal([.. Enumerable.Range(0, 3000).Select(i => $"c{i}"), "d0"], await StoredPointsAsync(buffer));
        var gap = Assert.Single(await buffer.ReadGapsAsync(CancellationToken.None)).Gap;
        Assert.Equal(3000UL, gap.LastSequence - gap.FirstSequence + 1);
        Assert.Contains("in-memory hold (3500 readings) was full", gap.Reason);
    }

    [Fact]
    public void Bad_buffer_settings_are_reported_with_their_keys()
    {
        var options = new AgentOptions
        {
            SiteId = "site",
            Devices = [new DeviceOptions { Host = "127.0.0.1" }],
            Buffer = new BufferOptions { Path = _folder.Root, MaxBytes = 1000, LowWaterPercent = 100, CommitInterval = TimeSpan.Zero, CommitMaxReadings = 0 },
        };
        var result = new AgentOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        var text = string.Join('\n', result.Failures);
        Assert.Contains("Agent:Buffer:Path", text);
        Assert.Contains("Agent:Buffer:MaxBytes 1000", text);
        Assert.Contains("Agent:Buffer:LowWaterPercent", text);
        Assert.Contains("Agent:Buffer:CommitInterval", text);
        Assert.Contains("Agent:Buffer:CommitMaxReadings", text);
    }

    [Fact]
    public void The_default_path_follows_systemd_state_directory()
    {
        var saved = Environment.GetEnvironmentVariable("STATE_DIRECTORY");
        try
        {
            Environment.SetEnvironmentVariable("STATE_DIRECTORY", "/var/lib/nexwatt-agent");
            Assert.Equal("/var/lib/nexwatt-agent/buffer.db", new BufferOptions().EffectivePath);
            Environment.SetEnvironmentVariable("STATE_DIRECTORY", null);
            Assert.EndsWith("nexwatt-agent/buffer.db", new BufferOptions().EffectivePath);
            Assert.Equal("/tmp/x.db", new BufferOptions { Path = "/tmp/x.db" }.EffectivePath);
        }
        finally { Environment.SetEnvironmentVariable("STATE_DIRECTORY", saved); }
    }
}
