using System.Text.Json;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>`read` and `scan` against hardware-sim running as its own process.</summary>
public class TechnicianCommandTests
{
    [Fact]
    public async Task Read_discovers_a_simulated_inverter_and_prints_every_model_as_json()
    {
        await using var site = await SimulatedSite.StartAsync("--inverter", "127.0.0.1:0");
        var (host, port, unit) = site.Single("inverter");

        var (code, output) = await AgentProcess.RunAsync("read", "--host", host, "--port", port.ToString(), "--unit", unit.ToString(), "--json");

        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(AgentProcess.JsonPart(output));
        var root = json.RootElement;
        Assert.Equal(40000, root.GetProperty("base").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("common").GetProperty("manufacturer").GetString()));
        var models = root.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetInt32()).ToList();
        Assert.Contains(1, models);
        Assert.Contains(120, models);
        Assert.Contains(123, models);
        Assert.True(models.Contains(103) || models.Contains(101), string.Join(",", models));
        var inverter = root.GetProperty("models").EnumerateArray().First(m => m.GetProperty("id").GetInt32() is 101 or 103);
        var watts = inverter.GetProperty("points").EnumerateArray().First(p => p.GetProperty("point").GetString() == "W");
        Assert.Equal("W", watts.GetProperty("units").GetString());
        Assert.True(watts.GetProperty("value").ValueKind == JsonValueKind.Number, watts.ToString());
    }

    [Fact]
    public async Task Read_prints_a_table_a_person_can_scan()
    {
        await using var site = await SimulatedSite.StartAsync("--battery", "127.0.0.1:0");
        var (host, port, unit) = site.Single("battery");

        var (code, output) = await AgentProcess.RunAsync("read", "--host", host, "--port", port.ToString(), "--unit", unit.ToString());

        Assert.True(code == 0, output);
        Assert.Contains("SunSpec base 40000", output);
        Assert.Contains("model 802", output);
        Assert.Matches(@"(?m)^\s+SoC\s+[\d.]+\s+%WHRtg", output);
    }

    [Fact]
    public async Task Scan_lists_every_simulated_device_and_ignores_a_closed_port()
    {
        await using var site = await SimulatedSite.StartAsync("--inverter", "127.0.0.1:0", "--battery", "127.0.0.1:0");
        var ports = site.Devices.Select(d => d.Port).Append(ClosedPort()).ToArray();

        var (code, output) = await AgentProcess.RunAsync("scan", "--hosts", "127.0.0.1", "--ports", string.Join(",", ports), "--units", "1-2", "--json");

        Assert.True(code == 0, output);
        using var json = JsonDocument.Parse(AgentProcess.JsonPart(output));
        var found = json.RootElement.EnumerateArray().Select(d => (Port: d.GetProperty("port").GetInt32(), Models: d.GetProperty("modelIds").EnumerateArray().Select(m => m.GetInt32()).ToList())).ToList();
        Assert.Equal(site.Devices.Count, found.Count);
        Assert.Contains(found, d => d.Models.Contains(802));
        Assert.Contains(found, d => d.Models.Contains(123));
    }

    [Fact]
    public async Task Read_of_a_closed_port_fails_with_a_clear_message_and_its_own_exit_code()
    {
        var (code, output) = await AgentProcess.RunAsync("read", "--host", "127.0.0.1", "--port", ClosedPort().ToString(), "--timeout", "1s");
        Assert.Equal(3, code);
        Assert.Contains("Cannot read 127.0.0.1:", output);
    }

    [Theory]
    [InlineData("--port", "70000", "--port must be 1-65535")]
    [InlineData("--timeout", "soon", "'soon' is not a duration")]
    public async Task Read_refuses_bad_arguments(string option, string value, string expected)
    {
        var (code, output) = await AgentProcess.RunAsync("read", "--host", "127.0.0.1", option, value);
        Assert.NotEqual(0, code);
        Assert.Contains(expected, output);
    }

    /// <summary>A loopback port with nothing listening: bound, noted, released.</summary>
    internal static int ClosedPort()
    {
        using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        var port = ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return port;
    }
}
