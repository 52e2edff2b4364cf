using System.Text.Json;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>The worker itself: configuration errors at start, and pollers that do not disturb each other.</summary>
public class AgentRunTests
{
    private static string WriteConfig(object agent)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nexwatt-agent-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { Agent = agent }));
        return path;
    }

    [Fact]
    public async Task A_bad_configuration_stops_the_agent_with_every_problem_and_exit_code_78()
    {
        var config = WriteConfig(new
        {
            SiteId = "site-1",
            Devices = new object[]
            {
                new { Id = "a", Type = "modbus-magic", Host = "127.0.0.1", Port = 502 },
                new { Id = "b", Host = "127.0.0.1", Port = 70000 },
                new { Id = "c", Host = "not a host!", Port = 502 },
            },
        });
        try
        {
            var (code, output) = await AgentProcess.RunAsync("run", "--config", config);
            Assert.True(code == 78, output);
            Assert.Contains("Agent:Devices:0:Type 'modbus-magic' is unknown", output);
            Assert.Contains("Agent:Devices:1:Port 70000 is out of range (1-65535).", output);
            Assert.Contains("Agent:Devices:2:Host 'not a host!' is not a valid host name or IP address.", output);
            Assert.DoesNotContain("Unhandled exception", output);
        }
        finally { File.Delete(config); }
    }

    [Fact]
    public async Task Broken_json_in_the_configuration_is_reported_not_thrown()
    {
        var config = Path.Combine(Path.GetTempPath(), $"nexwatt-agent-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, "{ \"Agent\": { \"SiteId\": ");
        try
        {
            var (code, output) = await AgentProcess.RunAsync("run", "--config", config);
            Assert.True(code == 78, output);
            Assert.Contains("configuration error", output);
            Assert.DoesNotContain("Unhandled exception", output);
        }
        finally { File.Delete(config); }
    }

    [Fact]
    public async Task A_dead_device_is_marked_unhealthy_while_the_live_ones_keep_reporting()
    {
        await using var site = await SimulatedSite.StartAsync("--inverter", "127.0.0.1:0", "--battery", "127.0.0.1:0");
        var inverter = site.Single("inverter");
        var battery = site.Single("battery");
        var config = WriteConfig(new
        {
            SiteId = "site-1",
            DefaultPollInterval = "00:00:00.500",
            Devices = new object[]
            {
                new { Id = "inverter", Host = inverter.Host, Port = inverter.Port, UnitId = inverter.Unit },
                new { Id = "battery", Host = battery.Host, Port = battery.Port, UnitId = battery.Unit },
                new { Id = "ghost", Host = "127.0.0.1", Port = TechnicianCommandTests.ClosedPort(), UnitId = 1, Timeout = "00:00:01" },
            },
        });
        try
        {
            await using var agent = AgentProcess.Start(["run", "--config", config]);
            await agent.WaitForLineAsync(l => l.Contains("ghost is unhealthy"), TimeSpan.FromSeconds(60));
            // After the ghost failed, both live devices still report on their own cadence.
            var mark = agent.Log.Length;
            var inverterReport = new System.Text.RegularExpressions.Regex(@"inverter: \d+ readings \(\d+ good\) .*W=");
            var batteryReport = new System.Text.RegularExpressions.Regex(@"battery: \d+ readings \(\d+ good\) .*SoC=");
            await agent.WaitForLineAsync(_ => agent.Log[mark..] is var after && inverterReport.IsMatch(after) && batteryReport.IsMatch(after),
                TimeSpan.FromSeconds(30));
            Assert.Equal(DeviceState.Unhealthy, GhostState(agent.Log));
            Assert.Contains("Polling ghost at 127.0.0.1:", agent.Log);
        }
        finally { File.Delete(config); }
    }

    [Fact]
    public async Task With_no_device_listed_the_agent_polls_what_discovery_finds()
    {
        await using var site = await SimulatedSite.StartAsync("--battery", "127.0.0.1:0");
        var battery = site.Single("battery");
        var config = WriteConfig(new
        {
            SiteId = "site-1",
            DefaultPollInterval = "00:00:00.500",
            Discovery = new { Enabled = true, Ranges = new[] { "127.0.0.1" }, Ports = new[] { battery.Port, TechnicianCommandTests.ClosedPort() }, UnitIds = new[] { 1, 2 } },
        });
        try
        {
            await using var agent = AgentProcess.Start(["run", "--config", config]);
            await agent.WaitForLineAsync(l => l.Contains($"Discovery: found SunSpec device at 127.0.0.1:{battery.Port} unit 1"), TimeSpan.FromSeconds(60));
            await agent.WaitForLineAsync(l => l.Contains("Discovery finished: 1 device(s) found"), TimeSpan.FromSeconds(30));
            await agent.WaitForLineAsync(l => System.Text.RegularExpressions.Regex.IsMatch(l, $@"127\.0\.0\.1-{battery.Port}-1: \d+ readings .*SoC="), TimeSpan.FromSeconds(30));
        }
        finally { File.Delete(config); }
    }

    private enum DeviceState { Unhealthy, Recovered }

    private static DeviceState GhostState(string log) =>
        log.LastIndexOf("ghost is healthy again", StringComparison.Ordinal) > log.LastIndexOf("ghost is unhealthy", StringComparison.Ordinal)
            ? DeviceState.Recovered : DeviceState.Unhealthy;
}
