using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Tests.Ingest;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.EndToEnd;

/// <summary>
/// hardware-sim → agent → Mosquitto → collector, with the broker down for a while and restarted from its persistence: every
/// poll is stored once, with the value the agent read.
/// </summary>
public sealed class MqttEndToEndTests
{
    [Fact]
    public async Task Every_poll_reaches_the_store_once_through_a_broker_outage()
    {
        // Persistence keeps the collector's session and its queued messages across the broker's restart.
        await using var broker = await Mosquitto.StartAsync(new MosquittoOptions { Persistence = true });
        await using var collector = await CollectorServer.StartAsync(new Dictionary<string, string?>
        {
            ["Collector:MqttIngest:Enabled"] = "true",
            ["Collector:MqttIngest:Host"] = "127.0.0.1",
            ["Collector:MqttIngest:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Collector:MqttIngest:TlsEnabled"] = "false",
            // A plain subscription: Mosquitto 2.0 does not restore shared subscriptions after a restart (collector/README.md).
            ["Collector:MqttIngest:SharedGroup"] = "",
        });
        await collector.RegisterSiteWithAssetAsync("site-mq", "pv-mq", "inverter");
        var (sim, host, port) = await SiteProcesses.StartInverterAsync();
        await using var _ = sim;
        await using var agent = SiteProcesses.StartAgent("site-mq", host, port, Path.Combine(collector.Directory, "agent-buffer.db"), new Dictionary<string, string>
        {
            ["NEXWATT_Agent__Uplink__Mqtt__Enabled"] = "true",
            ["NEXWATT_Agent__Uplink__Mqtt__Host"] = "127.0.0.1",
            ["NEXWATT_Agent__Uplink__Mqtt__Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["NEXWATT_Agent__Uplink__Mqtt__Tls__Enabled"] = "false",
            ["NEXWATT_Agent__Uplink__Mqtt__KeepAlive"] = "00:00:02",
            ["NEXWATT_Agent__Uplink__BackfillReadingsPerSecond"] = "2000",
        });
        Task<IReadOnlyList<NormalizedSample>> Samples() =>
            collector.Store.GetSamplesAsync("pv-mq", Measurement.ActivePowerW, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), default);

        await SiteProcesses.WaitUntil(async () => (await Samples()).Count >= 5, "five samples before the outage", agent);
        await broker.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(6));
        await broker.RestartAsync();
        await agent.WaitForLineAsync(l => l.Contains("Backfill drained", StringComparison.Ordinal), SiteProcesses.Patience);
        await sim.DisposeAsync(); // the device goes quiet: the agent's log now holds every poll there will be
        var deadline = DateTime.UtcNow + SiteProcesses.Patience;
        while ((await Samples()).Count < SiteProcesses.PolledWatts(agent).Count && DateTime.UtcNow < deadline) await Task.Delay(250);
        var stored = await Samples();
        var read = SiteProcesses.PolledWatts(agent);
        var missing = read.Except(stored.Select(s => s.Value)).ToList();
        Assert.True(stored.Count >= read.Count,
            $"{stored.Count} of {read.Count} polls stored; {stored.Count(s => s.Historical)} historical. Missing W values: {string.Join(", ", missing.Take(20))}. "
            + $"Stored W in order: {string.Join(", ", stored.OrderBy(s => s.Sequence).Select(s => $"{s.Value}{(s.Historical ? "h" : "")}"))}. Read W in order: {string.Join(", ", read)}. Broker log:\n{broker.Log[Math.Max(0, broker.Log.Length - 3000)..]}");
        await Task.Delay(TimeSpan.FromSeconds(2));

        var samples = await Samples();
        var polled = SiteProcesses.PolledWatts(agent);
        Assert.Equal(polled.Count, samples.Count);
        Assert.Equal(polled.Order(), samples.Select(s => s.Value).Order());
        Assert.Contains(samples, s => s.Historical);
    }
}
