using System.Globalization;
using System.Text.RegularExpressions;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.SunSpec;
using Nexwatt.Testing;

namespace Nexwatt.HardwareSim.Tests.Integration;

/// <summary>
/// hardware-sim against Modbus masters that are not ours: mbpoll (libmodbus) and a pymodbus client, both from
/// Debian's packages. The simulator shares our codec, so it must never be its own only oracle.
/// </summary>
public sealed partial class RealPeerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [GeneratedRegex(@"^READY (?<kind>\w+) unit=(?<unit>\d+) endpoint=127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex Ready();

    [GeneratedRegex(@"^\[(?<address>\d+)\]:\s+(?<value>-?\w+)", RegexOptions.Multiline)]
    private static partial Regex MbpollValue();

    private static async Task<(PeerProcess Sim, int Port)> StartSimAsync(string kind)
    {
        // Solar noon at 40°N on midsummer's day: the inverter produces, so a limit visibly bites.
        var sim = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim",
            ["serve", $"--{kind}", "0", "--host", "127.0.0.1", "--no-table", "--latitude", "40", "--longitude", "0", "--start-time", "2026-06-21T12:00:00Z"]);
        var line = await sim.WaitForLineAsync(l => l.StartsWith($"READY {kind} ", StringComparison.Ordinal), Timeout);
        return (sim, int.Parse(Ready().Match(line).Groups["port"].Value, CultureInfo.InvariantCulture));
    }

    private static async Task<Dictionary<int, string>> MbpollAsync(int port, params string[] arguments)
    {
        await using var mbpoll = PeerProcess.Start("mbpoll", ["-m", "tcp", "-a", "1", "-0", "-1", "-p", port.ToString(CultureInfo.InvariantCulture), .. arguments]);
        var code = await mbpoll.WaitForExitAsync(Timeout);
        Assert.True(code == 0, $"mbpoll {string.Join(' ', arguments)} exited {code}:\n{mbpoll.Log}");
        return MbpollValue().Matches(mbpoll.Log).ToDictionary(m => int.Parse(m.Groups["address"].Value, CultureInfo.InvariantCulture), m => m.Groups["value"].Value);
    }

    [Fact]
    public async Task Mbpoll_reads_the_marker_and_common_model_and_its_control_write_is_obeyed()
    {
        var (sim, port) = await StartSimAsync("inverter");
        await using var _ = sim;

        var marker = await MbpollAsync(port, "-t", "4:hex", "-r", "40000", "-c", "4", "127.0.0.1");
        Assert.Equal(["0x5375", "0x6E53", "0x0001", "0x0042"], [marker[40000], marker[40001], marker[40002], marker[40003]]);

        var common = await MbpollAsync(port, "-t", "4:hex", "-r", "40004", "-c", "16", "127.0.0.1");
        var manufacturer = string.Concat(Enumerable.Range(40004, 16).Select(a => Convert.ToUInt16(common[a], 16))
            .SelectMany(r => new[] { (char)(r >> 8), (char)(r & 0xFF) })).TrimEnd('\0');
        Assert.Equal("Nexwatt", manufacturer);

        // Model 123 at 40228: WMaxLimPct (40233, scale factor -1) = 30.0 %, then WMaxLim_Ena (40237) = 1.
        await MbpollAsync(port, "-t", "4", "-r", "40233", "127.0.0.1", "300");
        await MbpollAsync(port, "-t", "4", "-r", "40237", "127.0.0.1", "1");
        var readBack = await MbpollAsync(port, "-t", "4", "-r", "40233", "-c", "5", "127.0.0.1");
        Assert.Equal("300", readBack[40233]);
        Assert.Equal("1", readBack[40237]);

        // The limit bites: within a few physics ticks, AC power is at most 30 % of WMax.
        await using var link = new ModbusLink(new ModbusTcpLinkOptions { Host = "127.0.0.1", Port = port });
        var map = await new SunSpecDiscovery(link).DiscoverAsync(1);
        Assert.NotNull(map);
        double watts = double.NaN, wMax = double.NaN;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var blocks = await SunSpecDeviceReader.ReadAllAsync(link, map!);
            watts = blocks.Single(b => b.ModelId == 103).Read("W").Value!.Value;
            wMax = blocks.Single(b => b.ModelId == 121).Read("WMax").Value!.Value;
            if (watts <= 0.3 * wMax + 1) break;
            await Task.Delay(200);
        }
        Assert.True(wMax > 0, $"WMax {wMax}");
        Assert.InRange(watts, 0.05 * wMax, 0.3 * wMax + 1);
    }

    [Fact]
    public async Task A_pymodbus_client_walks_the_battery_model_chain()
    {
        var (sim, port) = await StartSimAsync("battery");
        await using var _ = sim;

        await using var walk = DebianPython.Start(Path.Combine(AppContext.BaseDirectory, "peers", "pymodbus_sunspec_walk.py"), port.ToString(CultureInfo.InvariantCulture));
        var code = await walk.WaitForExitAsync(Timeout);

        Assert.True(code == 0, walk.Log);
        Assert.Contains("MARKER ok", walk.Log);
        Assert.Contains("MN Nexwatt", walk.Log);
        var models = Regex.Matches(walk.Log, @"^MODEL (\d+) (\d+) (\d+)", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([1, 103, 124, 802, 713], models);
        Assert.Contains("END 40221", walk.Log);
    }
}
