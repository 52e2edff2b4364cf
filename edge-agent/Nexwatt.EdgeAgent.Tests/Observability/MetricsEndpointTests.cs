using System.Net;
using System.Text.Json;
using Nexwatt.EdgeAgent.Tests.Integration;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Observability;

/// <summary>
/// The agent process against hardware-sim, scraped on its metrics endpoint, the exposition parsed by Debian's
/// python3-prometheus-client; and its health endpoints on the same port.
/// </summary>
public class MetricsEndpointTests
{
    [Fact]
    public async Task A_running_agent_exposes_prometheus_metrics_with_units_and_total_counters_and_health_with_reasons()
    {
        await using var site = await SimulatedSite.StartAsync("--inverter", "127.0.0.1:0");
        var inverter = site.Single("inverter");
        var port = LoopbackPorts.Free();
        var config = Path.Combine(Path.GetTempPath(), $"nexwatt-agent-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            Agent = new
            {
                SiteId = "site-metrics",
                DefaultPollInterval = "00:00:00.500",
                Devices = new object[]
                {
                    new { Id = "inv", Host = inverter.Host, Port = inverter.Port, UnitId = inverter.Unit },
                    new { Id = "gone", Host = "127.0.0.1", Port = LoopbackPorts.Free(), Timeout = "00:00:00.300" },
                },
                Metrics = new { Port = port },
            },
        }));
        try
        {
            await using var agent = AgentProcess.Start(["run", "--config", config], new Dictionary<string, string> { ["NEXWATT_Agent__Metrics__Port"] = port.ToString() });
            await agent.WaitForLineAsync(l => l.Contains("[2600]", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };

            // Wait for a few good polls of the live device and a failed one of the dead device.
            IReadOnlyList<PrometheusParser.Family> families = [];
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
            while (DateTime.UtcNow < deadline)
            {
                families = await PrometheusParser.ParseAsync(await http.GetStringAsync("metrics"));
                if (Value(families, "nexwatt_agent_device_polls_total", ("device", "inv"), ("outcome", "ok")) >= 2
                    && Value(families, "nexwatt_agent_device_errors_total", ("device", "gone")) >= 1) break;
                await Task.Delay(300);
            }

            Assert.True(Value(families, "nexwatt_agent_device_polls_total", ("device", "inv"), ("outcome", "ok")) >= 2, agent.Log);
            Assert.Equal("counter", Family(families, "nexwatt_agent_device_polls").Type);
            Assert.Equal("counter", Family(families, "nexwatt_agent_device_errors").Type);
            Assert.True(Value(families, "nexwatt_agent_device_errors_total", ("device", "gone"), ("kind", "io")) >= 1, agent.Log);
            Assert.Equal("histogram", Family(families, "nexwatt_agent_device_poll_duration_seconds").Type);
            Assert.True(Value(families, "nexwatt_agent_device_poll_duration_seconds_count", ("device", "inv")) >= 2);
            Assert.Equal(1, Value(families, "nexwatt_agent_device_breaker_open", ("device", "gone")));
            Assert.Equal(0, Value(families, "nexwatt_agent_device_breaker_open", ("device", "inv")));
            Assert.InRange(Value(families, "nexwatt_agent_device_last_reading_age_seconds", ("device", "inv")), 0, 10);
            Assert.True(Value(families, "nexwatt_agent_buffer_readings") > 0, "nothing drains the buffer without an uplink, so readings pile up");
            Assert.True(Value(families, "nexwatt_agent_buffer_size_bytes") > 0);
            Assert.Equal("counter", Family(families, "nexwatt_agent_buffer_evicted").Type);
            Assert.Equal(0, Value(families, "nexwatt_agent_uplink_connected", ("transport", "none")));
            Assert.Equal("counter", Family(families, "nexwatt_agent_setpoints_received").Type);
            Assert.True(Value(families, "dotnet_process_memory_working_set_bytes") > 1_000_000);
            Assert.Equal("counter", Family(families, "dotnet_gc_collections").Type);

            // Prometheus conventions, for every family the agent itself exposes.
            foreach (var family in families.Where(f => f.Name.StartsWith("nexwatt_", StringComparison.Ordinal)))
            {
                if (family.Type == "counter") Assert.All(family.Samples, s => Assert.EndsWith("_total", s.Name));
                Assert.DoesNotContain("{", family.Name);
                Assert.Matches("^[a-z_][a-z0-9_]*$", family.Name);
            }
            Assert.DoesNotContain(families, f => f.Name.EndsWith("_duration", StringComparison.Ordinal) || f.Name.EndsWith("_age", StringComparison.Ordinal));

            using var alive = await http.GetAsync("healthz");
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
            using var ready = await http.GetAsync("readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Equal("unhealthy", body.RootElement.GetProperty("status").GetString());
            var codes = body.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToList();
            Assert.Contains("no_uplink_configured", codes);
        }
        finally { File.Delete(config); }
    }

    private static PrometheusParser.Family Family(IReadOnlyList<PrometheusParser.Family> families, string name) =>
        families.SingleOrDefault(f => f.Name == name) ?? throw new Xunit.Sdk.XunitException($"no family {name}; have {string.Join(", ", families.Select(f => f.Name))}");

    private static double Value(IReadOnlyList<PrometheusParser.Family> families, string sample, params (string Name, string Value)[] labels) =>
        families.SelectMany(f => f.Samples).Where(s => s.Name == sample && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value))
            .Select(s => s.Value).DefaultIfEmpty(double.NaN).Sum();
}
