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

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(4, true)]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void Mqtt_ingest_concurrency_is_checked_when_mqtt_ingest_is_on(int batches, bool accepted)
    {
        var options = new CollectorOptions
        {
            MqttIngest = new MqttIngestOptions { Enabled = true, Host = "broker.example", MaxConcurrentBatches = batches },
        };

        var result = new CollectorOptionsValidator().Validate(null, options);

        Assert.Equal(accepted, result.Succeeded);
        if (!accepted) Assert.Contains($"MqttIngest:MaxConcurrentBatches {batches} is out of range", result.FailureMessage, StringComparison.Ordinal);
    }
}
