using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Observability;
using Nexwatt.EdgeAgent.Polling;
using Nexwatt.EdgeAgent.Tests.Buffer;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Observability;

public class DeviceSummaryLogTests
{
    [Fact]
    public async Task Logs_one_information_line_per_device_per_interval_with_polls_and_errors_since_the_last_one()
    {
        var time = new FakeTimeProvider();
        var log = new ListLogger();
        var board = new DeviceHealthBoard();
        using var summary = new DeviceSummaryLog("site-a", TimeSpan.FromMinutes(5), board, time, log);
        await summary.StartAsync(CancellationToken.None);

        board.Set(new DeviceHealth("inv", true, 0, time.GetUtcNow(), null, Polls: 60, FailedPolls: 2));
        board.Set(new DeviceHealth("gone", false, 9, null, "connection refused", Polls: 9, FailedPolls: 9));
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(log.Entries);
        time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(2, log.Entries.Count);
        Assert.All(log.Entries, e => Assert.Equal((LogLevel.Information, 2620), (e.Level, e.Id.Id)));
        Assert.Equal("Site site-a device gone: 9 polls, 9 errors since the last summary; last good value never old; unhealthy", log.Entries[0].Message);
        Assert.Equal("Site site-a device inv: 60 polls, 2 errors since the last summary; last good value 300 s old; healthy", log.Entries[1].Message);

        board.Set(new DeviceHealth("inv", true, 0, time.GetUtcNow(), null, Polls: 120, FailedPolls: 2));
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("Site site-a device inv: 60 polls, 0 errors since the last summary; last good value 300 s old; healthy", log.Entries[^1].Message);
    }

    [Fact]
    public async Task A_zero_interval_turns_the_summaries_off()
    {
        var time = new FakeTimeProvider();
        var log = new ListLogger();
        var board = new DeviceHealthBoard();
        board.Set(new DeviceHealth("inv", true, 0, time.GetUtcNow(), null, 1, 0));
        using var summary = new DeviceSummaryLog("site-a", TimeSpan.Zero, board, time, log);
        await summary.StartAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(log.Entries);
    }
}
