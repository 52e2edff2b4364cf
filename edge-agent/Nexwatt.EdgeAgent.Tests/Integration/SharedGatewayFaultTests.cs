using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Polling;
using Nexwatt.EdgeAgent.Readings;
using Nexwatt.EdgeAgent.Tests.Buffer;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>
/// Two devices behind one hardware-sim listener (one Modbus TCP gateway, so one connection of the agent), one of
/// them answering garbage: the fault is the garbling unit's; its neighbour stays healthy with every poll's readings.
/// </summary>
public class SharedGatewayFaultTests
{
    private sealed class CountingSink : IReadingSink
    {
        public ConcurrentDictionary<string, int> Batches { get; } = new();
        public ConcurrentDictionary<string, int> Readings { get; } = new();

        public ValueTask WriteAsync(DeviceReadings batch, CancellationToken cancellationToken)
        {
            Batches.AddOrUpdate(batch.DeviceId, 1, (_, n) => n + 1);
            Readings.AddOrUpdate(batch.DeviceId, batch.Readings.Count, (_, n) => n + batch.Readings.Count);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ListLoggerProvider(ListLogger logger) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => logger;
        public void Dispose() { }
    }

    [Fact]
    public async Task A_unit_that_answers_garbage_is_blamed_and_its_neighbour_on_the_same_link_stays_healthy()
    {
        await using var site = await SimulatedSite.StartAsync(
            "--inverter", "--battery", "--host", "127.0.0.1", "--port", "0", "--fault", "battery-1:garbage=0.3");
        var inverter = site.Single("inverter");
        var battery = site.Single("battery");
        Assert.Equal(inverter.Port, battery.Port); // one gateway, two unit ids

        var log = new ListLogger();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new ListLoggerProvider(log)));
        await using var links = new DeviceLinks(TimeProvider.System, loggers);
        var sink = new CountingSink();
        var health = new DeviceHealthBoard();
        var catalog = SunSpecModelCatalog.LoadBuiltIn();
        var interval = TimeSpan.FromMilliseconds(250);
        DevicePoller Poller(string id, (string Host, int Port, int Unit) at)
        {
            var device = new DeviceOptions { Id = id, Host = at.Host, Port = at.Port, UnitId = at.Unit, Timeout = TimeSpan.FromMilliseconds(800) };
            return new DevicePoller("site-1", device, interval, links.For(device), catalog, sink, health, TimeProvider.System, log);
        }

        using var run = new CancellationTokenSource(TimeSpan.FromSeconds(12));
        var polling = Task.WhenAll(Poller("inverter", inverter).RunAsync(run.Token), Poller("battery", battery).RunAsync(run.Token));
        await polling.WaitAsync(TimeSpan.FromSeconds(60));

        var text = log.Text;
        var healthy = health.Get("inverter")!;
        var faulty = health.Get("battery")!;
        // The garbage really reached the wire and was put on the battery.
        Assert.True(faulty.FailedPolls > 0, $"battery never failed; polls {faulty.Polls}\n{text}");
        Assert.Contains("unit " + battery.Unit + " answered function 0x03 with a corrupt frame", text);
        // The inverter: not one failed poll, discovered once, every successful poll delivered its readings.
        Assert.True(healthy.Polls >= 10, $"inverter polled only {healthy.Polls} times\n{text}");
        Assert.True(healthy.FailedPolls == 0, $"inverter failed {healthy.FailedPolls} poll(s): {healthy.LastError}\n{text}");
        Assert.True(healthy.Healthy);
        Assert.DoesNotContain("inverter is unhealthy", text);
        Assert.Single(log.Entries, e => e.Id.Id == 2001 && e.Message.StartsWith("inverter:", StringComparison.Ordinal));
        Assert.Equal(healthy.Polls, sink.Batches.GetValueOrDefault("inverter"));
        Assert.True(sink.Readings.GetValueOrDefault("inverter") >= healthy.Polls * 10);
    }
}
