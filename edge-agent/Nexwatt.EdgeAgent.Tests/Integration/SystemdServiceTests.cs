using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>
/// The real agent as systemd runs it (Type=notify, WatchdogSec=), under <see cref="FakeSystemd"/>. READY from the
/// package, WATCHDOG=1 from our watchdog at half the period, STOPPING on SIGTERM.
/// </summary>
public sealed class SystemdServiceTests
{
    [Fact]
    public async Task Under_systemd_the_agent_says_ready_feeds_the_watchdog_at_half_its_period_and_says_stopping_on_sigterm()
    {
        var folder = Directory.CreateTempSubdirectory("nexwatt-systemd-agent-").FullName;
        try
        {
            await using var systemd = FakeSystemd.Start([PeerProcess.DotnetHost, RepoPaths.BuiltTool("Nexwatt.EdgeAgent", "nexwatt-agent"), "run"],
                TimeSpan.FromSeconds(2), new Dictionary<string, string>
                {
                    ["NEXWATT_Agent__SiteId"] = "site-systemd",
                    ["NEXWATT_Agent__Buffer__Path"] = Path.Combine(folder, "buffer.db"),
                    // A device nobody answers for: its poller fails and backs off, and stays live doing so.
                    ["NEXWATT_Agent__Devices__0__Host"] = "127.0.0.1",
                    ["NEXWATT_Agent__Devices__0__Port"] = "1",
                });

            Assert.Equal("READY=1", await systemd.ReceiveAsync(TimeSpan.FromSeconds(60)));
            var watchdogs = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (watchdogs < 3)
                if (await systemd.ReceiveAsync(TimeSpan.FromSeconds(10)) == "WATCHDOG=1") watchdogs++;
            // Three at a 1 s cadence (half of 2 s): never faster than the period asks, and not much slower.
            Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 8);

            await systemd.TerminateAsync();
            Assert.Equal("STOPPING=1", await systemd.ReceiveUntilAsync(s => s != "WATCHDOG=1", TimeSpan.FromSeconds(30)));
            Assert.Equal(0, await systemd.Service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
