using System.Text.Json;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Tests.Ingest;

namespace Nexwatt.Collector.Tests.EndToEnd;

/// <summary>
/// A small edge buffer through a long collector outage: the agent evicts its oldest readings, announces the loss,
/// and the collector flags exactly those intervals as a gap, while everything that was kept arrives once.
/// </summary>
public sealed class GapEndToEndTests
{
    [Fact]
    public async Task Readings_evicted_at_the_edge_arrive_as_a_gap_and_their_intervals_are_flagged()
    {
        var collector = await CollectorServer.StartAsync(deleteOnDispose: false);
        var (directory, grpcPort, apiPort) = (collector.Directory, collector.GrpcPort, collector.ApiPort);
        try
        {
            var token = await collector.RegisterSiteWithAssetAsync("site-gap", "pv-gap", "inverter");
            var (sim, host, port) = await SiteProcesses.StartInverterAsync();
            await using var _ = sim;
            // The 1 MiB floor of the buffer fills in a few seconds of 100 ms polls of a whole inverter.
            await using var agent = SiteProcesses.StartAgent("site-gap", host, port, Path.Combine(directory, "agent-buffer.db"), new Dictionary<string, string>
            {
                ["NEXWATT_Agent__Buffer__MaxBytes"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["NEXWATT_Agent__Uplink__Grpc__Enabled"] = "true",
                ["NEXWATT_Agent__Uplink__Grpc__Address"] = $"http://127.0.0.1:{grpcPort}",
                ["NEXWATT_Agent__Uplink__Grpc__SiteToken"] = token,
            }, pollInterval: "00:00:00.100");
            Task<IReadOnlyList<NormalizedSample>> Samples() =>
                collector.Store.GetSamplesAsync("pv-gap", Measurement.ActivePowerW, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), default);

            await SiteProcesses.WaitUntil(async () => (await Samples()).Count >= 5, "samples before the outage", agent);
            await collector.DisposeAsync();
            // Down until the edge had to evict.
            // The eviction itself (event 2302), not the health warning that the buffer is nearly full.
            await agent.WaitForLineAsync(l => l.Contains("Buffer full", StringComparison.Ordinal) && l.Contains("evicted the oldest", StringComparison.Ordinal), SiteProcesses.Patience);
            collector = await CollectorServer.StartAsync(directory: directory, grpc: grpcPort, api: apiPort, deleteOnDispose: false);
            await agent.WaitForLineAsync(l => l.Contains("Announced a gap upstream", StringComparison.Ordinal), SiteProcesses.Patience);

            // Eviction runs in rounds: each round is one gap.
            var gaps = await collector.Store.GetGapsAsync("site-gap", DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), default);
            Assert.NotEmpty(gaps);
            Assert.All(gaps, gap => Assert.True(gap.ReadingsLost > 0));
            Assert.All(gaps, gap => Assert.Contains("inverter", gap.DeviceIds));
            // Nothing evicted is in the store, and the intervals under the gaps say so.
            var samples = await Samples();
            Assert.DoesNotContain(samples, s => gaps.Any(gap => s.Sequence >= gap.FirstSequence && s.Sequence <= gap.LastSequence));
            var from = Uri.EscapeDataString(gaps.Min(g => g.From).AddSeconds(-5).ToString("O"));
            var to = Uri.EscapeDataString(gaps.Max(g => g.To).AddSeconds(5).ToString("O"));
            List<JsonElement> flagged = [];
            await SiteProcesses.WaitUntil(async () =>
            {
                flagged = JsonDocument.Parse(await collector.Api.GetStringAsync($"/v1/assets/pv-gap/intervals?measurement=ActivePowerW&from={from}&to={to}"))
                    .RootElement.EnumerateArray().Where(i => i.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "gap")).ToList();
                return flagged.Count > 0;
            }, "intervals flagged as gap", agent);
            Assert.All(flagged, i => Assert.Contains(gaps, gap =>
                i.GetProperty("start").GetDateTimeOffset() < gap.To && i.GetProperty("start").GetDateTimeOffset().AddSeconds(5) > gap.From));
        }
        finally
        {
            await collector.DisposeAsync();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }
}
