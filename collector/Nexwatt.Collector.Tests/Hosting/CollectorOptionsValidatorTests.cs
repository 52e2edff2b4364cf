using Nexwatt.Collector.Hosting;

namespace Nexwatt.Collector.Tests.Hosting;

public class CollectorOptionsValidatorTests
{
    [Theory]
    [InlineData("00:00:10")] // the default
    [InlineData("00:00:00")] // no cache
    [InlineData("00:05:00")]
    public void An_asset_lookup_cache_duration_from_zero_to_five_minutes_is_accepted(string duration)
    {
        var options = new CollectorOptions { AssetLookupCacheDuration = TimeSpan.Parse(duration, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.True(new CollectorOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("00:05:00.001")]
    public void An_asset_lookup_cache_duration_out_of_range_is_refused_with_its_key(string duration)
    {
        var options = new CollectorOptions { AssetLookupCacheDuration = TimeSpan.Parse(duration, System.Globalization.CultureInfo.InvariantCulture) };

        var result = new CollectorOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Collector:AssetLookupCacheDuration", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_is_ten_seconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), new CollectorOptions().AssetLookupCacheDuration);
    }
}
