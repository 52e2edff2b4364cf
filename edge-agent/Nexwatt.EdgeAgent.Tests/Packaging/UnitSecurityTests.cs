using System.Globalization;
using System.Text.RegularExpressions;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Packaging;

/// <summary>
/// The shipped units, scored by systemd's own analyzer on the unit file (no running systemd needed): exposure below
/// 2.0 ("OK"), while the agent keeps what it needs, serial ports for Modbus RTU and IP for Modbus TCP and the uplink.
/// </summary>
public sealed partial class UnitSecurityTests
{
    [Theory]
    [InlineData("nexwatt-agent.service")]
    [InlineData("nexwatt-collector.service")]
    public async Task The_unit_scores_an_exposure_below_two(string unit)
    {
        var report = await AnalyzeAsync(unit);
        var match = OverallExposure().Match(report);
        Assert.True(match.Success, $"no overall exposure in systemd-analyze's report:\n{report}");
        var exposure = double.Parse(match.Groups["score"].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure < 2.0, $"{unit} exposure {exposure} (needs < 2.0):\n{report}");
    }

    [Fact]
    public async Task The_agent_unit_still_reaches_serial_ports_and_the_network()
    {
        var unit = await File.ReadAllTextAsync(UnitPath("nexwatt-agent.service"));
        Assert.Contains("SupplementaryGroups=dialout", unit);
        foreach (var device in new[] { "char-ttyS", "char-ttyUSB", "char-ttyACM" })
            Assert.Contains($"DeviceAllow={device} rw", unit);
        Assert.Matches(@"(?m)^RestrictAddressFamilies=.*\bAF_INET\b.*\bAF_INET6\b", unit);
        Assert.DoesNotMatch(@"(?m)^PrivateNetwork=yes", unit);
        Assert.DoesNotMatch(@"(?m)^PrivateDevices=yes", unit);
        // The configuration directory belongs to the package (root:nexwatt); ConfigurationDirectory= made it root-only.
        Assert.DoesNotMatch(@"(?m)^ConfigurationDirectory", unit);
        Assert.Matches(@"(?m)^ExecStart=/usr/lib/nexwatt-agent/nexwatt-agent run$", unit);
    }

    private static string UnitPath(string unit) => Path.Combine(RepoPaths.Root, "packaging", "systemd", unit);

    private static async Task<string> AnalyzeAsync(string unit)
    {
        // --offline=true reads the file itself; the exposure table goes to stdout, the verdict line with it.
        await using var analyze = PeerProcess.Start("systemd-analyze", ["security", "--offline=true", "--no-pager", UnitPath(unit)]);
        var exit = await analyze.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, $"systemd-analyze exited with {exit}:\n{analyze.Log}");
        return analyze.Log;
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (?<score>\d+(\.\d+)?)")]
    private static partial Regex OverallExposure();
}
