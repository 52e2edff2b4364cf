using Nexwatt.Data.Sqlite;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Hosting;

/// <summary>
/// The real collector as systemd runs its unit (Type=notify, WatchdogSec=), under <see cref="FakeSystemd"/>: READY
/// once its store is open and its listeners bound, WATCHDOG=1 at half the period while healthy, STATUS= naming the
/// problem (and no WATCHDOG=1) while its store fails, fed again once the store answers, STOPPING on SIGTERM.
/// </summary>
public sealed class CollectorSystemdServiceTests
{
    [Fact]
    public async Task Under_systemd_the_collector_says_ready_and_feeds_the_watchdog_only_while_its_store_answers()
    {
        var folder = Directory.CreateTempSubdirectory("nexwatt-systemd-collector-").FullName;
        var (port, management) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        var database = Path.Combine(folder, "collector.db");
        try
        {
            await using var systemd = FakeSystemd.Start([PeerProcess.DotnetHost, RepoPaths.BuiltTool("Nexwatt.Collector", "nexwatt-collector")],
                TimeSpan.FromSeconds(2), new Dictionary<string, string>
                {
                    ["NEXWATT_COLLECTOR_CONFIG"] = "/nonexistent/collector.json",
                    ["NEXWATT_Collector__Port"] = port.ToString(),
                    ["NEXWATT_Collector__ManagementPort"] = management.ToString(),
                    ["NEXWATT_Collector__Storage__SqlitePath"] = database,
                    // A fresh home: ASP.NET Core's data protection creates a new key there at start (under the unit, in
                    // the state directory), which is when it warns.
                    ["HOME"] = Directory.CreateDirectory(Path.Combine(folder, "home")).FullName,
                });

            Assert.Equal("READY=1", await systemd.ReceiveAsync(TimeSpan.FromSeconds(60)));
            // Ready means listening: the management port answers at once.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using (var health = await http.GetAsync($"http://127.0.0.1:{management}/healthz")) Assert.True(health.IsSuccessStatusCode);
            for (var i = 0; i < 2; i++) Assert.Equal("WATCHDOG=1", await systemd.ReceiveAsync(TimeSpan.FromSeconds(5)));

            // The store loses its assets table: the interval worker's sweep (every 10 rounds of 1 s) fails.
            using (var db = SqliteDatabase.Open(database, readOnly: false)) db.Execute("ALTER TABLE assets RENAME TO assets_hidden");
            var status = await systemd.ReceiveUntilAsync(s => s != "WATCHDOG=1", TimeSpan.FromSeconds(20));
            Assert.StartsWith("STATUS=Unhealthy: the store failed the interval worker: ", status);
            Assert.Contains("assets", status);
            Assert.EndsWith("; watchdog not fed", status);
            // Still failing a few rounds on, though most rounds touch no table: withheld at every tick until the store answers.
            for (var i = 0; i < 3; i++) Assert.Equal(status, await systemd.ReceiveAsync(TimeSpan.FromSeconds(5)));

            using (var db = SqliteDatabase.Open(database, readOnly: false)) db.Execute("ALTER TABLE assets_hidden RENAME TO assets");
            // Fed again at the next sweep that succeeds, after STATUS= says the collector is healthy again.
            Assert.Equal("STATUS=Serving sites", await systemd.ReceiveUntilAsync(s => !s.StartsWith("STATUS=Unhealthy", StringComparison.Ordinal), TimeSpan.FromSeconds(20)));
            Assert.Equal("WATCHDOG=1", await systemd.ReceiveAsync(TimeSpan.FromSeconds(5)));

            await systemd.TerminateAsync();
            Assert.Equal("STOPPING=1", await systemd.ReceiveUntilAsync(s => s != "WATCHDOG=1", TimeSpan.FromSeconds(30)));
            Assert.Equal(0, await systemd.Service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            // Nothing in the journal an operator cannot act on: no data-protection warnings about keys nobody uses.
            Assert.DoesNotContain("DataProtection", systemd.Service.Log);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
