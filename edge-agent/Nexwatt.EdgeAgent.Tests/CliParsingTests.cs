using Nexwatt.Configuration;
using Nexwatt.EdgeAgent.Cli;
using Nexwatt.EdgeAgent.Polling;

namespace Nexwatt.EdgeAgent.Tests;

public class CliParsingTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2000)]
    [InlineData("1.5m", 90_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("00:00:02", 2000)]
    [InlineData("0", 0)]
    public void Durations_parse_as_typed(string text, double milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("-2s")]
    [InlineData("5")]
    [InlineData("1e3s")]
    [InlineData("\u0665s")]
    [InlineData("")]
    public void Nonsense_durations_do_not_parse(string text) => Assert.False(Duration.TryParse(text, out _));

    [Fact]
    public void Lists_and_ranges_expand_and_are_bounded()
    {
        Assert.Equal([1, 2, 5, 6, 7], CliOptions.ParseList("1,2,5-7", 0, 255, out _)!);
        Assert.Null(CliOptions.ParseList("1,300", 0, 255, out var error));
        Assert.Contains("outside 0-255", error);
        Assert.Null(CliOptions.ParseList("a", 0, 255, out error));
        Assert.Contains("not a number", error);
    }

    [Fact]
    public void Backoff_doubles_per_failure_up_to_the_cap_and_adds_bounded_jitter()
    {
        var interval = TimeSpan.FromSeconds(5);
        Assert.Equal(TimeSpan.FromSeconds(5), PollBackoff.Delay(interval, 1, 0));
        Assert.Equal(TimeSpan.FromSeconds(10), PollBackoff.Delay(interval, 2, 0));
        Assert.Equal(TimeSpan.FromSeconds(20), PollBackoff.Delay(interval, 3, 0));
        Assert.Equal(PollBackoff.Cap, PollBackoff.Delay(interval, 30, 0));
        Assert.Equal(TimeSpan.FromSeconds(12), PollBackoff.Delay(interval, 2, 1));
        // A device polled less often than the cap is never polled more often because it fails.
        Assert.Equal(TimeSpan.FromMinutes(5), PollBackoff.Delay(TimeSpan.FromMinutes(5), 4, 0));
    }
}
