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

    [Fact]
    public async Task Every_poll_is_appended_and_a_buffer_failure_is_counted_not_thrown_at_the_poller()
    {
        await using var buffer = ReadingBuffer.Open(_folder.Options(), TimeProvider.System, new ListLogger());
        var sink = new BufferingReadingSink(buffer, NullLogger<BufferingReadingSink>.Instance);
        var poll = new DeviceReadings("site", "inv", At, [new Reading("inv", 103, 0, "W", 1, null, "W", ReadingQuality.Good, At), new Reading("inv", 103, 0, "A", 2, null, "A", ReadingQuality.Good, At)]);

        await sink.WriteAsync(poll, CancellationToken.None);
        var chunk = Assert.Single(await buffer.ReadAsync(0, ulong.MaxValue, 100, CancellationToken.None));
        Assert.Equal(["W", "A"], chunk.Readings.Select(r => r.Point));

        await buffer.ExecuteForTestsAsync("PRAGMA max_page_count = 1");
        var big = poll with { Readings = [.. Enumerable.Range(0, 3000).Select(i => new Reading("inv", 103, 0, $"P{i}", i, null, "W", ReadingQuality.Good, At))] };
        await sink.WriteAsync(big, CancellationToken.None);
        Assert.Equal(3000, sink.ReadingsLost);
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
