using System.Globalization;
using System.Text.RegularExpressions;
using Nexwatt.EdgeAgent.Hosting;
using Nexwatt.EdgeAgent.Tests.Buffer;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests;

public class RuntimeHealthLogTests
{
    [Fact]
    public async Task Logs_resident_memory_and_the_managed_heap_once_per_interval()
    {
        var time = new FakeTimeProvider();
        var log = new ListLogger();
        using var health = new RuntimeHealthLog(TimeSpan.FromMinutes(15), time, log);
        await health.StartAsync(CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(14));
        Assert.Empty(log.Entries);
        time.Advance(TimeSpan.FromMinutes(1));
        time.Advance(TimeSpan.FromMinutes(15));

        Assert.Equal(2, log.Entries.Count);
        var line = log.Entries[0].Message;
        var resident = Regex.Match(line, @"resident (\d+\.\d) MB \(anonymous (\d+\.\d) MB\)");
        Assert.True(resident.Success, line);
        // This very process: at least a few MB resident, of which the anonymous part is a share.
        var residentMb = double.Parse(resident.Groups[1].Value, CultureInfo.InvariantCulture);
        var anonymousMb = double.Parse(resident.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.InRange(residentMb, 5, 100_000);
        Assert.InRange(anonymousMb, 1, residentMb);
        Assert.Matches(@"managed heap \d+\.\d MB in use", line);

        await health.StopAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(2, log.Entries.Count);
    }

    [Fact]
    public async Task A_zero_interval_logs_nothing()
    {
        var time = new FakeTimeProvider();
        var log = new ListLogger();
        using var health = new RuntimeHealthLog(TimeSpan.Zero, time, log);
        await health.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromDays(1));
        Assert.Empty(log.Entries);
    }

    [Fact]
    public void Reads_the_kernels_figures_and_tolerates_a_missing_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, ["Name:\tnexwatt-agent", "VmRSS:\t   84212 kB", "RssAnon:\t   31020 kB", "RssFile:\t   40000 kB"]);
            Assert.Equal((84212L, 31020L), RuntimeHealthLog.ReadResidentKilobytes(path));
        }
        finally { File.Delete(path); }
        Assert.Equal((-1L, -1L), RuntimeHealthLog.ReadResidentKilobytes(path));
    }
}
