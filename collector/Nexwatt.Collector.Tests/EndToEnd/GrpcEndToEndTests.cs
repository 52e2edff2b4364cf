using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Tests.Ingest;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.EndToEnd;

/// <summary>
/// hardware-sim → edge agent → collector over gRPC, with the collector down for a while in the middle: every
/// inverter poll the agent made is stored exactly once, with the value the agent read, and the intervals that the
/// outage's backlog filled are marked late.
/// </summary>
public sealed partial class GrpcEndToEndTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [GeneratedRegex(@"inverter: \d+ readings \(\d+ good\) W=(?<w>-?[\d.]+) W")]
    private static partial Regex InverterPoll();

    [GeneratedRegex(@"^READY (?<kind>\w+) unit=(?<unit>\d+) endpoint=(?<host>[\d.]+):(?<port>\d+)")]
    private static partial Regex Ready();

    [Fact]
    public async Task Every_poll_reaches_the_store_once_through_a_collector_outage()
    {
        var collector = await CollectorServer.StartAsync(deleteOnDispose: false);
        var (directory, grpcPort, apiPort) = (collector.Directory, collector.GrpcPort, collector.ApiPort);
        try
        {
            var token = await collector.RegisterSiteWithAssetAsync("site-e2e", "pv-e2e", "inverter");
            // Noon at 40°N: the inverter produces, so every poll's W is a distinct, checkable value.
            await using var sim = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim",
                ["serve", "--inverter", "0", "--host", "127.0.0.1", "--no-table", "--latitude", "40", "--longitude", "0", "--start-time", "2026-06-21T12:00:00Z", "--clock-speed", "30"]);
            var ready = Ready().Match(await sim.WaitForLineAsync(l => l.StartsWith("READY inverter ", StringComparison.Ordinal), Patience));
            var environment = new Dictionary<string, string>
            {
                ["NEXWATT_CONFIG"] = "/dev/null/none",
                ["NEXWATT_Agent__SiteId"] = "site-e2e",
                ["NEXWATT_Agent__DefaultPollInterval"] = "00:00:00.500",
                ["NEXWATT_Agent__Buffer__Path"] = Path.Combine(directory, "agent-buffer.db"),
                ["NEXWATT_Agent__Uplink__Grpc__Enabled"] = "true",
                ["NEXWATT_Agent__Uplink__Grpc__Address"] = $"http://127.0.0.1:{grpcPort}",
                ["NEXWATT_Agent__Uplink__Grpc__SiteToken"] = token,
                ["NEXWATT_Agent__Uplink__BackfillReadingsPerSecond"] = "2000",
                ["NEXWATT_Agent__Devices__0__Id"] = "inverter",
                ["NEXWATT_Agent__Devices__0__Host"] = ready.Groups["host"].Value,
                ["NEXWATT_Agent__Devices__0__Port"] = ready.Groups["port"].Value,
            };
            await using var agent = EdgeAgentProcess.Start(["run"], environment);

            await WaitUntil(async () => (await Samples(collector)).Count >= 5, "five samples stored before the outage", agent);
            await collector.DisposeAsync(); // the collector goes away; the agent keeps polling and buffering
            await Task.Delay(TimeSpan.FromSeconds(6));
            collector = await CollectorServer.StartAsync(directory: directory, grpc: grpcPort, api: apiPort, deleteOnDispose: false);
            await agent.WaitForLineAsync(l => l.Contains("Backfill drained", StringComparison.Ordinal), Patience);

            // The device goes quiet, so the agent's log holds every poll that will ever be sent.
            await sim.DisposeAsync();
            var polled = () => InverterPoll().Matches(agent.Log).Select(m => double.Parse(m.Groups["w"].Value, CultureInfo.InvariantCulture)).ToList();
            await WaitUntil(async () => (await Samples(collector)).Count >= polled().Count, "every poll stored", agent);
            await Task.Delay(TimeSpan.FromSeconds(2)); // anything extra would show up now
            var samples = await Samples(collector);
            var readValues = polled();

            Assert.Equal(readValues.Count, samples.Count);
            Assert.Equal(samples.Count, samples.Select(s => s.Sequence).Distinct().Count());
            Assert.Equal(readValues.Order(), samples.Select(s => s.Value).Order());
            Assert.Contains(samples, s => s.Historical);

            // The intervals rest on exactly those samples, and the outage's shows as late.
            var from = Uri.EscapeDataString(samples.Min(s => s.SourceTime).AddSeconds(-5).ToString("O"));
            var to = Uri.EscapeDataString(samples.Max(s => s.SourceTime).AddSeconds(5).ToString("O"));
            List<JsonElement> intervals = [];
            await WaitUntil(async () =>
            {
                intervals = JsonDocument.Parse(await collector.Api.GetStringAsync($"/v1/assets/pv-e2e/intervals?measurement=ActivePowerW&from={from}&to={to}"))
                    .RootElement.EnumerateArray().Where(i => i.GetProperty("samples").GetInt32() > 0).ToList();
                return intervals.Sum(i => i.GetProperty("samples").GetInt32()) >= samples.Count;
            }, "intervals covering every sample", agent);
            foreach (var interval in intervals)
            {
                var start = interval.GetProperty("start").GetDateTimeOffset();
                var inside = samples.Where(s => s.SourceTime >= start && s.SourceTime < start.AddSeconds(5)).ToList();
                Assert.True(inside.Count == interval.GetProperty("samples").GetInt32(),
                    $"interval {start:O} counts {interval.GetProperty("samples").GetInt32()} samples, the store holds {inside.Count} in it: "
                    + string.Join(", ", inside.Select(x => $"{x.Sequence}@{x.SourceTime:HH:mm:ss.fff}")));
                Assert.Equal(inside.Average(s => s.Value), interval.GetProperty("average").GetDouble(), 6);
                Assert.Equal(inside.Max(s => s.Value), interval.GetProperty("max").GetDouble());
            }
            Assert.Contains(intervals, i => i.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "late"));
        }
        finally
        {
            await collector.DisposeAsync();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    private static Task<IReadOnlyList<NormalizedSample>> Samples(CollectorServer collector) =>
        collector.Store.GetSamplesAsync("pv-e2e", Measurement.ActivePowerW, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), default);

    private static async Task WaitUntil(Func<Task<bool>> condition, string what, PeerProcess agent)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}. Agent log:\n{agent.Log[Math.Max(0, agent.Log.Length - 4000)..]}");
            await Task.Delay(250);
        }
    }
}
