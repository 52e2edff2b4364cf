using System.Globalization;
using System.Text.RegularExpressions;
using Nexwatt.Testing;

namespace Nexwatt.HardwareSim.Tests.Integration;

/// <summary>
/// `hardware-sim serve --serial PATH`: the simulated devices answer Modbus RTU on one end of a socat pty pair, and
/// mbpoll (libmodbus, not our code) reads them from the other end in RTU mode, each by its unit id.
/// </summary>
public sealed partial class SerialServeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [GeneratedRegex(@"^\[(?<address>\d+)\]:\s+(?<value>-?\w+)", RegexOptions.Multiline)]
    private static partial Regex MbpollValue();

    private static async Task<Dictionary<int, string>> MbpollRtuAsync(string device, int unit, params string[] arguments)
    {
        await using var mbpoll = PeerProcess.Start("mbpoll",
            ["-m", "rtu", "-b", "19200", "-P", "none", "-a", unit.ToString(CultureInfo.InvariantCulture), "-1", .. arguments, device]);
        var code = await mbpoll.WaitForExitAsync(Timeout);
        Assert.True(code == 0, $"mbpoll {string.Join(' ', arguments)} exited {code}:\n{mbpoll.Log}");
        return MbpollValue().Matches(mbpoll.Log).ToDictionary(m => int.Parse(m.Groups["address"].Value, CultureInfo.InvariantCulture), m => m.Groups["value"].Value);
    }

    [Fact]
    public async Task Mbpoll_in_rtu_mode_reads_each_simulated_device_on_the_serial_bus()
    {
        await using var pty = await PtyPair.StartAsync();
        await using var sim = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim",
            ["serve", "--inverter", "--battery", "--port", "0", "--host", "127.0.0.1", "--no-table", "--serial", pty.A, "--serial-baud", "19200"]);
        var serial = await sim.WaitForLineAsync(l => l.StartsWith("SERIAL ", StringComparison.Ordinal), Timeout);
        Assert.Equal($"SERIAL port={pty.A} units=1,2", serial);

        // mbpoll wants the real /dev/pts name; -r 40001 is register address 40000 (mbpoll counts from 1).
        var device = PtyPair.Device(pty.B);
        foreach (var unit in new[] { 1, 2 })
        {
            var marker = await MbpollRtuAsync(device, unit, "-t", "4:hex", "-r", "40001", "-c", "10");
            Assert.Equal(["0x5375", "0x6E53", "0x0001", "0x0042"], [marker[40001], marker[40002], marker[40003], marker[40004]]);
            var manufacturer = string.Concat(Enumerable.Range(40005, 6).Select(a => Convert.ToUInt16(marker[a], 16))
                .SelectMany(r => new[] { (char)(r >> 8), (char)(r & 0xFF) })).TrimEnd('\0');
            Assert.StartsWith("Nexwatt", manufacturer);
        }

        // A unit nobody serves stays silent on the bus (mbpoll times out), and the bus still serves unit 1 after it.
        await using (var absent = PeerProcess.Start("mbpoll", ["-m", "rtu", "-b", "19200", "-P", "none", "-a", "9", "-1", "-o", "0.3", "-r", "40001", device]))
            Assert.NotEqual(0, await absent.WaitForExitAsync(Timeout));
        Assert.Equal("0x5375", (await MbpollRtuAsync(device, 1, "-t", "4:hex", "-r", "40001", "-c", "1"))[40001]);
    }
}
