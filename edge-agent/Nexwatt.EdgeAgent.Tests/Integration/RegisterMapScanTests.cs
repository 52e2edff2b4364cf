using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>`scan` finds register-map devices by their identification registers and prints a snippet to paste.</summary>
public sealed class RegisterMapScanTests
{
    [Fact]
    public async Task Scan_finds_a_Huawei_map_device_and_prints_a_configuration_snippet()
    {
        await using var sim = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim", ["serve-map", "--map", "huawei-sun2000", "--port", "0"]);
        var ready = await sim.WaitForLineAsync(l => l.StartsWith("READY map=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var port = ready[(ready.LastIndexOf(':') + 1)..];

        var (code, output) = await AgentProcess.RunAsync("scan", "--hosts", "127.0.0.1", "--ports", port, "--json");
        Assert.True(code == 0, output);
        var found = Assert.Single(JsonDocument.Parse(AgentProcess.JsonPart(output)).RootElement.EnumerateArray());
        Assert.Equal("huawei-sun2000", found.GetProperty("map").GetString());
        Assert.Equal(1, found.GetProperty("unitId").GetInt32());
        Assert.Equal("SUN2000-SIM", found.GetProperty("model").GetString());

        (code, output) = await AgentProcess.RunAsync("scan", "--hosts", "127.0.0.1", "--ports", port);
        Assert.True(code == 0, output);
        var snippet = JsonDocument.Parse(output[output.IndexOf("Paste into /etc/nexwatt/agent.json:", StringComparison.Ordinal)..].Split(':', 2)[1]).RootElement;
        var device = Assert.Single(snippet.GetProperty("Agent").GetProperty("Devices").EnumerateArray());
        Assert.Equal("map", device.GetProperty("Type").GetString());
        Assert.Equal("huawei-sun2000", device.GetProperty("Map").GetString());
        Assert.Equal(int.Parse(port), device.GetProperty("Port").GetInt32());
    }

    [Fact]
    public async Task A_loopback_slash_24_where_nothing_listens_completes_and_finds_nothing()
    {
        var closed = ClosedPort();
        var watch = Stopwatch.StartNew();
        var (code, output) = await AgentProcess.RunAsync("scan", "--hosts", "127.0.3.0/24", "--ports", $"{closed},{closed + 1}", "--units", "1,2,126", "--timeout", "300ms");
        watch.Stop();
        Assert.True(code == 0, output);
        Assert.Contains("No device found.", output);
        // Not a timing target (the bench owns those): the figure is printed for the report.
        Console.WriteLine($"scan of 127.0.3.0/24 x 2 ports, nothing listening: {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"the scan took {watch.Elapsed}");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
