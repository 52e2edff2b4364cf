using System.Diagnostics;
using System.Text.RegularExpressions;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Testing;

namespace Nexwatt.HardwareSim.Tests.Integration;

/// <summary>The built executable, as the edge agent's integration tests run it.</summary>
public sealed partial class ProcessSmokeTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [GeneratedRegex(@"^READY (?<kind>inverter|battery) unit=(?<unit>\d+) endpoint=127\.0\.0\.1:(?<port>\d+) base=40000 name=(?<name>\S+)$")]
    private static partial Regex ReadyPattern();

    [Fact]
    public async Task Serves_on_free_ports_prints_ready_lines_and_stops_on_SIGTERM()
    {
        await using var peer = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim",
            ["serve", "--inverter", "0", "--battery", "0", "--host", "127.0.0.1", "--no-table", "--seed", "5", "--clock-speed", "60"]);
        var inverterLine = await peer.WaitForLineAsync(l => l.StartsWith("READY inverter ", StringComparison.Ordinal), StartTimeout);
        var batteryLine = await peer.WaitForLineAsync(l => l.StartsWith("READY battery ", StringComparison.Ordinal), StartTimeout);
        await peer.WaitForLineAsync(l => l == "READY all", StartTimeout);

        var inverter = ReadyPattern().Match(inverterLine);
        Assert.True(inverter.Success, inverterLine);
        Assert.Equal("inverter-1", inverter.Groups["name"].Value);
        var battery = ReadyPattern().Match(batteryLine);
        Assert.True(battery.Success, batteryLine);
        Assert.NotEqual(inverter.Groups["port"].Value, battery.Groups["port"].Value);

        await using (var link = new ModbusLink(new ModbusTcpLinkOptions { Host = "127.0.0.1", Port = int.Parse(inverter.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture) }))
        {
            var marker = await link.ReadHoldingRegistersAsync(1, 40000, 4);
            Assert.Equal(new ushort[] { 0x5375, 0x6E53, 1, 66 }, marker);
        }

        using (var kill = Process.Start("kill", ["-TERM", peer.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        Assert.Equal(0, await peer.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("STOPPING", peer.Log);
    }

    [Fact]
    public async Task Invalid_flags_exit_with_code_2_before_listening()
    {
        await using var peer = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim", ["serve", "--device", "toaster@0"]);
        Assert.Equal(2, await peer.WaitForExitAsync(StartTimeout));
        Assert.Contains("unknown device type 'toaster'", peer.Log);
        Assert.DoesNotContain("READY", peer.Log);
    }
}
