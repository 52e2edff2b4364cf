using System.Net;
using System.Text.Json;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Observability;

/// <summary>The collector binary scraped on its management port, the exposition parsed by Debian's python3-prometheus-client.</summary>
public class CollectorMetricsEndpointTests
{
    [Fact]
    public async Task The_management_port_serves_prometheus_metrics_and_readiness_and_the_site_port_does_not()
    {
        var directory = Directory.CreateTempSubdirectory("nexwatt-collector-metrics-").FullName;
        var (port, management) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        try
        {
            await using var collector = PeerProcess.StartDotnetTool("Nexwatt.Collector", "nexwatt-collector", [], new Dictionary<string, string>
            {
                ["NEXWATT_COLLECTOR_CONFIG"] = "/nonexistent/collector.json",
                ["NEXWATT_Collector__Port"] = port.ToString(),
                ["NEXWATT_Collector__ManagementPort"] = management.ToString(),
                ["NEXWATT_Collector__Storage__SqlitePath"] = Path.Combine(directory, "collector.db"),
            });
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var metricsUrl = $"http://127.0.0.1:{management}/metrics";
            string exposition = "";
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                try { exposition = await http.GetStringAsync(metricsUrl); break; }
                catch (HttpRequestException) when (!collector.HasExited) { await Task.Delay(250); }
            }
            Assert.True(exposition.Length > 0, collector.Log);

            var families = await PrometheusParser.ParseAsync(exposition);
            Assert.Equal("gauge", Family(families, "nexwatt_collector_interval_worker_lag_seconds").Type);
            var refused = Family(families, "nexwatt_collector_ingest_refused");
            Assert.Equal("counter", refused.Type);
            Assert.Contains(refused.Samples, s => s.Name == "nexwatt_collector_ingest_refused_total" && s.Labels["transport"] == "mqtt" && s.Labels["reason"] == "undecodable");
            Assert.Contains(families, f => f.Name == "dotnet_process_memory_working_set_bytes");
            foreach (var family in families.Where(f => f.Type == "counter"))
                Assert.All(family.Samples, s => Assert.EndsWith("_total", s.Name));

            // Ready once the interval worker has gone round (every second).
            using var ready = await http.GetAsync($"http://127.0.0.1:{management}/readyz");
            var body = await ready.Content.ReadAsStringAsync();
            Assert.True(ready.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("ok", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());

            // The site-facing port speaks HTTP/2 gRPC only; /metrics is not there.
            using var h2 = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var onSitePort = await h2.GetAsync($"http://127.0.0.1:{port}/metrics");
            Assert.Equal(HttpStatusCode.NotFound, onSitePort.StatusCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static PrometheusParser.Family Family(IReadOnlyList<PrometheusParser.Family> families, string name) =>
        families.SingleOrDefault(f => f.Name == name) ?? throw new Xunit.Sdk.XunitException($"no family {name}; have {string.Join(", ", families.Select(f => f.Name))}");
}
