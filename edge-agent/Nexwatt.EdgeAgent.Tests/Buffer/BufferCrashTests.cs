using System.Text.Json;
using System.Text.RegularExpressions;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.Data.Sqlite;
using Nexwatt.EdgeAgent.Tests.Integration;

namespace Nexwatt.EdgeAgent.Tests.Buffer;

/// <summary>
/// kill -9 at random moments: the real agent (`nexwatt-agent run`) polls hardware-sim every 100 ms with the buffer
/// category at Debug, so it prints "Committed sequences A-B" after each commit returned. The test kills it with
/// SIGKILL many times; after each kill the file must be sound and hold every sequence the agent reported committed.
/// </summary>
public sealed partial class BufferCrashTests : IDisposable
{
    private const int Rounds = 20;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Every_reported_commit_survives_sigkill_at_random_moments()
    {
        await using var site = await SimulatedSite.StartAsync("--inverter", "127.0.0.1:0", "--battery", "127.0.0.1:0");
        var inverter = site.Single("inverter");
        var battery = site.Single("battery");
        var config = Path.Combine(_folder.Root, "agent.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            Logging = new { LogLevel = new Dictionary<string, string> { ["Default"] = "Warning", ["Nexwatt.EdgeAgent.Buffer"] = "Debug" } },
            Agent = new
            {
                SiteId = "crash-site",
                DefaultPollInterval = "00:00:00.100",
                Devices = new object[]
                {
                    new { Id = "inverter", Host = inverter.Host, Port = inverter.Port, UnitId = inverter.Unit },
                    new { Id = "battery", Host = battery.Host, Port = battery.Port, UnitId = battery.Unit },
                },
                Buffer = new { Path = _folder.DatabasePath, CommitInterval = "00:00:00.050" },
            },
        }));

        var random = new Random(20261120);
        var reported = new List<(ulong First, ulong Last)>();
        for (var round = 0; round < Rounds; round++)
        {
            string log;
            await using (var agent = AgentProcess.Start(["run", "--config", config], new Dictionary<string, string> { ["NEXWATT_Agent__Buffer__Path"] = _folder.DatabasePath }))
            {
                // Every fifth round dies while starting (opening the file, discovery); the others while committing.
                if (round % 5 == 4)
                    await Task.Delay(random.Next(50, 400));
                else
                {
                    await agent.WaitForLineAsync(l => l.Contains("Committed sequences"), TimeSpan.FromSeconds(60));
                    await Task.Delay(random.Next(0, 1200));
                }
                agent.Kill();
                await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
                log = agent.Log;
            }
            Assert.DoesNotContain("Unhandled exception", log);
            Assert.DoesNotContain("is damaged", log);
            reported.AddRange(CommittedLine().Matches(log).Select(m => (ulong.Parse(m.Groups[1].Value), ulong.Parse(m.Groups[2].Value))));
            AssertSoundAndComplete(reported, round);
        }
        Assert.True(reported.Count > Rounds, $"only {reported.Count} commits were reported");
        Assert.Empty(Directory.GetFiles(_folder.Root, "buffer.db.corrupt-*"));
    }

    /// <summary>integrity_check is ok, and every reported range is covered by stored chunks whose payloads decode with those sequences.</summary>
    private void AssertSoundAndComplete(List<(ulong First, ulong Last)> reported, int round)
    {
        using var db = SqliteDatabase.Open(_folder.DatabasePath, readOnly: false);
        Assert.Equal("ok", db.ScalarText("PRAGMA integrity_check"));
        var chunks = new Dictionary<ulong, ulong>();
        using (var rows = db.Prepare("SELECT id, last_seq, device_id, payload FROM chunks"))
            while (rows.Step())
            {
                var (id, last) = ((ulong)rows.Int64(0), (ulong)rows.Int64(1));
                Assert.True(ChunkCodec.TryDecode(rows.Blob(3), rows.Text(2)!, out var readings), $"chunk {id} does not decode");
                Assert.Equal(Enumerable.Range(0, (int)(last - id + 1)).Select(i => id + (ulong)i), readings.Select(r => r.Sequence));
                chunks[id] = last;
            }
        foreach (var (first, last) in reported)
            for (var at = first; at <= last;)
            {
                Assert.True(chunks.TryGetValue(at, out var end), $"round {round}: sequence {at} of the reported commit {first}-{last} is missing");
                at = end + 1;
            }
    }

    [GeneratedRegex(@"Committed sequences (\d+)-(\d+)")]
    private static partial Regex CommittedLine();
}
