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

    [Theory]
    [InlineData("broker.example", false, false, false)] // a broker elsewhere, without TLS: refused
    [InlineData("broker.example", false, true, true)]   // ... unless explicitly allowed
    [InlineData("broker.example", true, false, true)]   // TLS
    [InlineData("127.0.0.1", false, false, true)]       // this host
    [InlineData("localhost", false, false, true)]
    [InlineData("::1", false, false, true)]
    [InlineData("10.0.0.5", false, false, false)]
    public void Mqtt_ingest_without_tls_is_refused_for_a_broker_off_this_host_unless_allowed(string host, bool tls, bool allowInsecure, bool accepted)
    {
        var options = new CollectorOptions
        {
            MqttIngest = new MqttIngestOptions { Enabled = true, Host = host, TlsEnabled = tls, AllowInsecureMqtt = allowInsecure },
        };

        var result = new CollectorOptionsValidator().Validate(null, options);

        Assert.Equal(accepted, result.Succeeded);
        if (!accepted) Assert.Contains("Collector:MqttIngest:AllowInsecureMqtt", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1024 * 1024, false)] // the old client default: Mosquitto dropped every batch above it
    [InlineData(4 * 1024 * 1024 + 64 * 1024, true)]
    [InlineData(8 * 1024 * 1024, true)]
    public void The_mqtt_packet_size_announced_to_the_broker_covers_the_largest_agent_message(int maxPacketBytes, bool accepted)
    {
        var options = new CollectorOptions { MqttIngest = new MqttIngestOptions { Enabled = true, Host = "127.0.0.1", MaxPacketBytes = maxPacketBytes } };

        var result = new CollectorOptionsValidator().Validate(null, options);

        Assert.Equal(accepted, result.Succeeded);
        if (!accepted) Assert.Contains("Collector:MqttIngest:MaxPacketBytes", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_collector_exits_78_naming_the_setting_when_mqtt_ingest_has_no_tls_to_a_remote_broker()
    {
        var directory = Directory.CreateTempSubdirectory("nexwatt-collector-78-").FullName;
        try
        {
            // ".invalid" never resolves (RFC 6761): a collector that did start would reach nobody.
            await using var collector = Nexwatt.Testing.PeerProcess.StartDotnetTool("Nexwatt.Collector", "nexwatt-collector", [], new Dictionary<string, string>
            {
                ["NEXWATT_COLLECTOR_CONFIG"] = "/dev/null/none",
                ["NEXWATT_Collector__Port"] = "50151",
                ["NEXWATT_Collector__ManagementPort"] = "50152",
                ["NEXWATT_Collector__Storage__Provider"] = "sqlite",
                ["NEXWATT_Collector__Storage__SqlitePath"] = Path.Combine(directory, "collector.db"),
                ["NEXWATT_Collector__MqttIngest__Enabled"] = "true",
                ["NEXWATT_Collector__MqttIngest__Host"] = "broker.invalid",
                ["NEXWATT_Collector__MqttIngest__TlsEnabled"] = "false",
            });
            var code = await collector.WaitForExitAsync(TimeSpan.FromSeconds(60));

            Assert.True(code == 78, $"exit code {code}. Log:\n{collector.Log}");
            Assert.Contains("AllowInsecureMqtt", collector.Log, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
