using System.Globalization;
using System.Text.RegularExpressions;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.EndToEnd;

/// <summary>A simulated inverter and an edge agent polling it, each its own process, for the end-to-end tests.</summary>
internal static partial class SiteProcesses
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [GeneratedRegex(@"inverter: \d+ readings \(\d+ good\) W=(?<w>-?[\d.]+) W")]
    private static partial Regex InverterPoll();

    [GeneratedRegex(@"^READY (?<kind>\w+) unit=(?<unit>\d+) endpoint=(?<host>[\d.]+):(?<port>\d+)")]
    internal static partial Regex Ready();

    /// <summary>A producing inverter (noon at 40°N, time running 30× so every poll reads a different W).</summary>
    public static async Task<(PeerProcess Sim, string Host, string Port)> StartInverterAsync()
    {
        var sim = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim",
            ["serve", "--inverter", "0", "--host", "127.0.0.1", "--no-table", "--latitude", "40", "--longitude", "0", "--start-time", "2026-06-21T12:00:00Z", "--clock-speed", "30"]);
        var ready = Ready().Match(await sim.WaitForLineAsync(l => l.StartsWith("READY inverter ", StringComparison.Ordinal), Patience));
        return (sim, ready.Groups["host"].Value, ready.Groups["port"].Value);
    }

    public static PeerProcess StartAgent(string siteId, string host, string port, string bufferPath, IDictionary<string, string> uplink, string pollInterval = "00:00:00.500",
        string deviceId = "inverter")
    {
        var environment = new Dictionary<string, string>(uplink)
        {
            ["NEXWATT_CONFIG"] = "/dev/null/none",
            ["NEXWATT_Agent__SiteId"] = siteId,
            ["NEXWATT_Agent__DefaultPollInterval"] = pollInterval,
            ["NEXWATT_Agent__Buffer__Path"] = bufferPath,
            ["NEXWATT_Agent__Devices__0__Id"] = deviceId,
            ["NEXWATT_Agent__Devices__0__Host"] = host,
            ["NEXWATT_Agent__Devices__0__Port"] = port,
        };
        return EdgeAgentProcess.Start(["run"], environment);
    }

    /// <summary>The W the agent read at each inverter poll, from its log: what the device produced, as read.</summary>
    public static List<double> PolledWatts(PeerProcess agent) =>
        InverterPoll().Matches(agent.Log).Select(m => double.Parse(m.Groups["w"].Value, CultureInfo.InvariantCulture)).ToList();

    /// <summary>Polls <paramref name="condition"/> until it holds; on timeout fails with the tail of the agent's log, when there is one.</summary>
    public static async Task WaitUntil(Func<Task<bool>> condition, string what, PeerProcess? agent = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, agent is null
                ? $"timed out waiting for {what}"
                : $"timed out waiting for {what}. Agent log:\n{agent.Log[Math.Max(0, agent.Log.Length - 4000)..]}");
            await Task.Delay(250);
        }
    }
}
