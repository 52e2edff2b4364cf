using System.Text.Json;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>
/// The broker goes away for a while and comes back: after dedupe by (site, sequence) every reading arrives exactly
/// once, in order per device, live data resumes at once and the backlog drains beside it, marked historical.
/// </summary>
public class UplinkOutageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Every_reading_polled_through_a_broker_outage_arrives_exactly_once_after_dedupe()
    {
        // Persistence keeps the subscriber's session (and its queued messages) across the broker's restart.
        await using var broker = await Mosquitto.StartAsync(new MosquittoOptions { Persistence = true });
        await using var subscriber = await TelemetrySubscriber.StartAsync(broker.Port, "outage-subscriber");
        await using var site = await SimulatedSite.StartAsync("--inverter", "127.0.0.1:0", "--battery", "127.0.0.1:0");
        var config = MqttUplinkTests.WriteConfig(new
        {
            SiteId = "site-outage",
            DefaultPollInterval = "00:00:01",
            Devices = site.Devices.Select(d => new { Id = d.Kind, d.Host, d.Port, UnitId = d.Unit }).ToArray(),
            Buffer = new { Path = MqttUplinkTests.TempBufferPath(), CommitInterval = "00:00:00.100" },
            // A slow backfill, so that live batches visibly pass it while it drains.
            Uplink = new { BackfillReadingsPerSecond = 150, Mqtt = new { Enabled = true, Host = "127.0.0.1", Port = broker.Port, KeepAlive = "00:00:02", Tls = new { Enabled = false } } },
        });
        await using var agent = AgentProcess.Start(["run", "--config", config]);

        await WaitForBatches(subscriber, historical: false, count: 4);
        await broker.StopAsync();
        await agent.WaitForLineAsync(l => l.Contains("Uplink session ended", StringComparison.Ordinal) || l.Contains("connection lost", StringComparison.OrdinalIgnoreCase), Patience);
        await Task.Delay(TimeSpan.FromSeconds(8)); // the agent keeps polling and buffering meanwhile
        await broker.RestartAsync();
        await agent.WaitForLineAsync(l => l.Contains("Backfill drained", StringComparison.Ordinal), Patience);
        var liveBefore = subscriber.Lines("batch").Count(b => !b.GetProperty("historical").GetBoolean());
        await WaitForBatches(subscriber, historical: false, count: liveBefore + 2);
        agent.Kill();

        var batches = subscriber.Lines("batch").Where(b => b.GetProperty("site").GetString() == "site-outage").ToList();
        var readings = subscriber.Lines("reading").Where(r => r.GetProperty("site").GetString() == "site-outage").ToList();

        // Exactly once after dedupe: every sequence from the first to the last, none missing.
        var unique = readings.GroupBy(r => r.GetProperty("seq").GetUInt64()).ToDictionary(g => g.Key, g => g.First());
        var first = unique.Keys.Min();
        var last = unique.Keys.Max();
        var missing = Enumerable.Range(0, (int)(last - first + 1)).Select(i => first + (ulong)i).Where(s => !unique.ContainsKey(s)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} sequence(s) missing between {first} and {last}, e.g. {string.Join(",", missing.Take(10))}");
        // Redelivered readings are the same readings, not new ones.
        foreach (var group in readings.GroupBy(r => r.GetProperty("seq").GetUInt64()).Where(g => g.Count() > 1))
            Assert.Single(group.Select(r => (r.GetProperty("device").GetString(), r.GetProperty("point").GetString(), r.GetProperty("ts_us").GetInt64())).Distinct());

        // The outage's backlog came back as history.
        var historical = unique.Values.Where(r => r.GetProperty("historical").GetBoolean()).ToList();
        Assert.True(historical.Count > 100, $"only {historical.Count} historical readings");

        // Live data resumed at once: a live batch arrived while the backfill was still draining.
        var lastHistorical = batches.FindLastIndex(b => b.GetProperty("historical").GetBoolean() && b.GetProperty("n").GetInt32() > 0);
        var firstHistorical = batches.FindIndex(b => b.GetProperty("historical").GetBoolean() && b.GetProperty("n").GetInt32() > 0);
        Assert.Contains(batches.Skip(firstHistorical).Take(lastHistorical - firstHistorical), b => !b.GetProperty("historical").GetBoolean());

        // Order per device: by sequence, each device's source times never go backwards.
        foreach (var device in unique.Values.GroupBy(r => r.GetProperty("device").GetString()))
        {
            var times = device.OrderBy(r => r.GetProperty("seq").GetUInt64()).Select(r => r.GetProperty("ts_us").GetInt64()).ToList();
            Assert.Equal(times.Order(), times);
        }
        File.Delete(config);
    }

    private static async Task WaitForBatches(TelemetrySubscriber subscriber, bool historical, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (subscriber.Lines("batch").Count(b => b.GetProperty("historical").GetBoolean() == historical && b.GetProperty("n").GetInt32() > 0) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} batches (historical={historical}) arrived. Subscriber log:\n{subscriber.Log}");
            await Task.Delay(200);
        }
    }
}
