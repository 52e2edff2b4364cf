using System.Text.Json;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>The worker polls a register-map device (hardware-sim serving the Huawei map), listed or discovered.</summary>
public sealed class RegisterMapRunTests
{
    private static async Task<(PeerProcess Sim, int Port)> StartHuaweiAsync()
    {
        var sim = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim", ["serve-map", "--map", "huawei-sun2000", "--port", "0"]);
        var ready = await sim.WaitForLineAsync(l => l.StartsWith("READY map=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        return (sim, int.Parse(ready[(ready.LastIndexOf(':') + 1)..]));
    }

    private static string WriteConfig(object agent)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nexwatt-agent-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { Agent = agent }));
        return path;
    }

    [Fact]
    public async Task A_listed_map_device_is_identified_and_polled()
    {
        var (sim, port) = await StartHuaweiAsync();
        await using var _ = sim;
        var config = WriteConfig(new
        {
            SiteId = "site-1",
            DefaultPollInterval = "500ms",
            Devices = new object[] { new { Id = "hybrid", Type = "map", Map = "huawei-sun2000", Host = "127.0.0.1", Port = port, UnitId = 1 } },
        });
        try
        {
            await using var agent = AgentProcess.Start(["run", "--config", config]);
            var identified = await agent.WaitForLineAsync(l => l.Contains("hybrid: identified as a huawei-sun2000 device"), TimeSpan.FromSeconds(60));
            Assert.Contains("(SUN2000-SIM); control: battery", identified);
            // One poll carries the inverter's, the battery's and the meter's canonical points (11 polled points, all good).
            // Waiting fails the test (TimeoutException) when no such poll comes.
            await agent.WaitForLineAsync(l => l.Contains("hybrid: 11 readings (11 good)"), TimeSpan.FromSeconds(30));
        }
        finally { File.Delete(config); }
    }

    [Fact]
    public async Task Discovery_finds_a_map_device_and_the_worker_polls_it()
    {
        var (sim, port) = await StartHuaweiAsync();
        await using var _ = sim;
        var config = WriteConfig(new
        {
            SiteId = "site-1",
            DefaultPollInterval = "500ms",
            Discovery = new { Enabled = true, Ranges = new[] { "127.0.0.1" }, Ports = new[] { port } },
        });
        try
        {
            await using var agent = AgentProcess.Start(["run", "--config", config]);
            var identified = await agent.WaitForLineAsync(l => l.Contains($"127.0.0.1-{port}-1: identified as"), TimeSpan.FromSeconds(60));
            Assert.Contains("a huawei-sun2000 device", identified);
            await agent.WaitForLineAsync(l => l.Contains($"127.0.0.1-{port}-1: 11 readings (11 good)"), TimeSpan.FromSeconds(30));
        }
        finally { File.Delete(config); }
    }
}
