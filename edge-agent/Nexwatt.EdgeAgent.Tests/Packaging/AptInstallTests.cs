using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Packaging;

/// <summary>
/// packaging/tests/apt-install.sh: the packages built from this checkout, installed with apt from the signed
/// repository into clean Debian roots (amd64, and arm64 under qemu-user; the collector on amd64). Needs root. Long: it publishes the agent for
/// two architectures and runs apt under emulation (measured figures in packaging/README.md), and it is the one place
/// where installing is proven.
/// </summary>
public sealed class AptInstallTests
{
    private static readonly string[] Checks =
    [
        "apt refuses the unsigned repository",
        "apt refuses the tampered package",
        "apt-get install nexwatt-agent from the signed repository",
        "user nexwatt, /etc/nexwatt root:nexwatt 750",
        "the agent as user nexwatt read its configuration and buffered",
        "keeps the edited agent.json",
        "remove deletes the program, keeps the buffer",
        "purge deletes the state and the configuration",
        "apt-get install nexwatt-collector",
        "the collector as user nexwatt: embedded store and signing key in /var/lib/nexwatt-collector, /healthz on loopback",
        "collector: remove keeps its database and key, purge deletes the state and the configuration",
        "arm64: apt-get install nexwatt-agent (arm64) and nexwatt-agent --version under qemu-user",
        "arm64: nexwatt-agent read against hardware-sim",
    ];

    [Fact]
    [Trait("Category", "Packaging")]
    public async Task Apt_installs_upgrades_removes_and_purges_the_signed_packages_and_refuses_unsigned_or_tampered_ones()
    {
        await using var script = PeerProcess.Start("/bin/bash", [Path.Combine(RepoPaths.Root, "packaging", "tests", "apt-install.sh")],
            new Dictionary<string, string> { ["NEXWATT_HARDWARE_SIM"] = RepoPaths.BuiltTool("Nexwatt.HardwareSim", "hardware-sim") },
            workingDirectory: RepoPaths.Root);
        var exit = await script.WaitForExitAsync(TimeSpan.FromMinutes(40));
        Assert.True(exit == 0, $"apt-install.sh exited with {exit}:\n{script.Log}");
        var passed = script.Log.Split('\n').Where(line => line.StartsWith("ok: ", StringComparison.Ordinal)).ToList();
        foreach (var check in Checks)
            Assert.True(passed.Any(line => line.Contains(check, StringComparison.Ordinal)), $"no passed check \"{check}\" in:\n{script.Log}");
    }
}
