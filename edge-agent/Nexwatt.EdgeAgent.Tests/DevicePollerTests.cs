using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Polling;
using Nexwatt.EdgeAgent.Readings;
using Nexwatt.Protocols.SunSpec;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests;

public class DevicePollerTests
{
    private static readonly SunSpecModelCatalog Catalog = SunSpecModelCatalog.LoadBuiltIn();

    private sealed class ChannelSink : IReadingSink
    {
        public Channel<DeviceReadings> Batches { get; } = Channel.CreateUnbounded<DeviceReadings>();
        public ValueTask WriteAsync(DeviceReadings batch, CancellationToken cancellationToken) => Batches.Writer.WriteAsync(batch, cancellationToken);
    }

    /// <summary>A three-phase inverter image: common, 103 with a few values set, and 120 nameplate.</summary>
    private static SunSpecDeviceImage InverterImage()
    {
        var builder = new SunSpecDeviceImageBuilder();
        var common = builder.Add(Catalog.Get(1));
        var inverter = builder.Add(Catalog.Get(103));
        builder.Add(Catalog.Get(120));
        var image = builder.Build();
        common.WriteString("Mn", "Nexwatt");
        common.WriteString("Md", "Bench inverter");
        common.WriteString("SN", "INV-0001");
        inverter.WriteRaw("W_SF", 0);
        inverter.WriteRaw("W", 4200);
        inverter.WriteRaw("Hz_SF", -2);
        inverter.WriteRaw("Hz", 6001);
        return image;
    }

    private static (DevicePoller Poller, ChannelSink Sink, DeviceHealthBoard Health) Create(ImageModbusClient client, FakeTimeProvider time, TimeSpan? interval = null)
    {
        var sink = new ChannelSink();
        var health = new DeviceHealthBoard();
        var device = new DeviceOptions { Id = "inv-1", Host = "127.0.0.1", Port = 502, UnitId = 1 };
        var poller = new DevicePoller("site-1", device, interval ?? TimeSpan.FromSeconds(5), client, Catalog, sink, health, time, NullLogger.Instance);
        return (poller, sink, health);
    }

    [Fact]
    public async Task A_poll_emits_scaled_readings_with_the_source_timestamp_and_quality()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 18, 0, 0, TimeSpan.Zero));
        var (poller, _, _) = Create(new ImageModbusClient(InverterImage()), time);

        var batch = await poller.PollOnceAsync(CancellationToken.None);

        Assert.Equal("site-1", batch.SiteId);
        var watts = Assert.Single(batch.Readings, r => r.Point == "W");
        Assert.Equal(4200, watts.Value);
        Assert.Equal("W", watts.Units);
        Assert.Equal(ReadingQuality.Good, watts.Quality);
        Assert.Equal(time.GetUtcNow(), watts.SourceTimestamp);
        Assert.Equal(60.01, Assert.Single(batch.Readings, r => r.Point == "Hz").Value);
        // Never a made-up zero: a point the device leaves unimplemented has no value and says so.
        var va = Assert.Single(batch.Readings, r => r.Point == "VA");
        Assert.Null(va.Value);
        Assert.Equal(ReadingQuality.NotImplemented, va.Quality);
        // The common and nameplate models are static: read at discovery, not every poll.
        Assert.DoesNotContain(batch.Readings, r => r.ModelId is 1 or 120);
        Assert.DoesNotContain(batch.Readings, r => r.Point.EndsWith("_SF", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_dead_device_is_marked_unhealthy_backed_off_and_recovers()
    {
        var time = new FakeTimeProvider();
        var client = new ImageModbusClient(InverterImage());
        var (poller, sink, health) = Create(client, time, TimeSpan.FromSeconds(5));
        using var cts = new CancellationTokenSource();
        var run = poller.RunAsync(cts.Token);

        await sink.Batches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await WaitUntil(() => health.Get("inv-1")!.Healthy);

        client.Dead = true;
        var requestsBefore = client.Requests;
        time.Advance(TimeSpan.FromSeconds(5));
        await WaitUntil(() => !health.Get("inv-1")!.Healthy);
        Assert.Equal(1, health.Get("inv-1")!.ConsecutiveFailures);
        Assert.Contains("did not answer", health.Get("inv-1")!.LastError);

        // Backoff: after one failure the next try waits one interval (plus jitter), so 4 s later nothing is sent.
        var afterFailure = client.Requests;
        time.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(50);
        Assert.Equal(afterFailure, client.Requests);
        Assert.True(afterFailure > requestsBefore);

        client.Dead = false;
        time.Advance(TimeSpan.FromSeconds(3));
        var batch = await sink.Batches.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotEmpty(batch.Readings);
        await WaitUntil(() => health.Get("inv-1")!.Healthy);
        Assert.Equal(0, health.Get("inv-1")!.ConsecutiveFailures);
        Assert.Equal(1, health.Get("inv-1")!.FailedPolls);

        cts.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_device_without_the_SunSpec_marker_is_reported_as_such()
    {
        var image = InverterImage();
        image.Registers[0] = 0; // no "SunS" at 40000; nothing at 50000 or 0 either
        var (poller, _, _) = Create(new ImageModbusClient(image), new FakeTimeProvider());
        var error = await Assert.ThrowsAsync<NotSunSpecException>(() => poller.PollOnceAsync(CancellationToken.None));
        Assert.Contains("inv-1", error.Message);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
