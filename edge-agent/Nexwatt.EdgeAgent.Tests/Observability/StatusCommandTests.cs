using System.Text.Json;
using Nexwatt.EdgeAgent.Tests.Integration;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Observability;

/// <summary>`nexwatt-agent status` against a real agent process polling hardware-sim, over the agent's Unix socket.</summary>
public class StatusCommandTests
{
    [Fact]
    public async Task Status_json_of_a_healthy_agent_lists_its_devices_buffer_and_uplink_and_exits_0()
    {
        await using var site = await SimulatedSite.StartAsync("--inverter", "127.0.0.1:0");
        var inverter = site.Single("inverter");
        var socket = SocketPath();
        var config = await WriteConfigAsync("site-status", new { Id = "inv", Host = inverter.Host, Port = inverter.Port, UnitId = inverter.Unit });
        await using var agent = AgentProcess.Start(["run", "--config", config], new Dictionary<string, string> { ["NEXWATT_Agent__StatusSocket"] = socket });
        await agent.WaitForLineAsync(l => l.Contains("[2610]", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        JsonElement status = default;
        (int ExitCode, string Output) answer = default;
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(300))
        {
            answer = await AgentProcess.RunAsync("status", "--json", "--socket", socket);
            status = JsonDocument.Parse(AgentProcess.JsonPart(answer.Output)).RootElement;
            if (status.GetProperty("devices").EnumerateArray().Any(d => d.GetProperty("polls").GetInt64() >= 2)) break;
        }

        Assert.Equal(0, answer.ExitCode);
        Assert.Equal("site-status", status.GetProperty("site").GetString());
        Assert.Equal("ok", status.GetProperty("status").GetString());
        var device = Assert.Single(status.GetProperty("devices").EnumerateArray());
        Assert.Equal("inv", device.GetProperty("id").GetString());
        Assert.True(device.GetProperty("healthy").GetBoolean(), answer.Output);
        Assert.True(device.GetProperty("polls").GetInt64() >= 2, answer.Output);
        Assert.NotEqual(JsonValueKind.Null, device.GetProperty("lastReading").ValueKind);
        Assert.True(status.GetProperty("buffer").GetProperty("readings").GetInt64() > 0, answer.Output);
        Assert.Equal("none", status.GetProperty("uplink").GetProperty("transport").GetString());
        // No uplink is a warning: not ready, still healthy.
        Assert.False(status.GetProperty("ready").GetBoolean());
        Assert.Contains(status.GetProperty("problems").EnumerateArray(), p => p.GetProperty("code").GetString() == "no_uplink_configured");
        Assert.Equal(JsonValueKind.Null, status.GetProperty("collectorKey").ValueKind);
        Assert.Empty(status.GetProperty("setpoints").EnumerateArray());

        var table = await AgentProcess.RunAsync("status", "--socket", socket);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("Site site-status: ok", table.Output, StringComparison.Ordinal);
        Assert.Contains("inv", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_an_agent_that_reads_no_device_exits_1_with_the_reason()
    {
        var socket = SocketPath();
        var config = await WriteConfigAsync("site-dead", new { Id = "gone", Host = "127.0.0.1", Port = LoopbackPorts.Free(), Timeout = "00:00:00.300" });
        await using var agent = AgentProcess.Start(["run", "--config", config], new Dictionary<string, string> { ["NEXWATT_Agent__StatusSocket"] = socket });
        await agent.WaitForLineAsync(l => l.Contains("[2610]", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        (int ExitCode, string Output) answer = default;
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); DateTime.UtcNow < deadline && answer.ExitCode != 1; await Task.Delay(300))
            answer = await AgentProcess.RunAsync("status", "--socket", socket);

        Assert.Equal(1, answer.ExitCode);
        Assert.Contains("Site site-dead: unhealthy", answer.Output, StringComparison.Ordinal);
        Assert.Contains("no device has been read", answer.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_without_a_running_agent_exits_2_naming_the_socket()
    {
        var socket = SocketPath();
        var answer = await AgentProcess.RunAsync("status", "--socket", socket);
        Assert.Equal(2, answer.ExitCode);
        Assert.Contains($"cannot reach the agent at {socket}", answer.Output, StringComparison.Ordinal);
    }

    // Unix socket paths are limited to 108 bytes: keep them short.
    private static string SocketPath() => Path.Combine(Path.GetTempPath(), $"nxs-{Guid.NewGuid():N}"[..16] + ".sock");

    private static async Task<string> WriteConfigAsync(string siteId, object device)
    {
        var config = Path.Combine(Path.GetTempPath(), $"nexwatt-agent-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            Agent = new { SiteId = siteId, DefaultPollInterval = "00:00:00.500", Devices = new[] { device } },
        }));
        return config;
    }
}
