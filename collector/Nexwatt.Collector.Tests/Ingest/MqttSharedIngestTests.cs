using Google.Protobuf;
using Nexwatt.Collector.Domain;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Ingest;

/// <summary>Two collectors on one shared subscription split a site's telemetry: every batch stored once, by one of them.</summary>
public class MqttSharedIngestTests
{
    [Fact]
    public async Task Two_collectors_share_the_subscription_and_together_store_every_batch_once()
    {
        await using var broker = await Mosquitto.StartAsync();
        Dictionary<string, string?> Mqtt(string clientId) => new()
        {
            ["Collector:MqttIngest:Enabled"] = "true",
            ["Collector:MqttIngest:Host"] = "127.0.0.1",
            ["Collector:MqttIngest:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Collector:MqttIngest:TlsEnabled"] = "false",
            ["Collector:MqttIngest:ClientId"] = clientId,
        };
        await using var first = await CollectorServer.StartAsync(Mqtt("collector-1"));
        await using var second = await CollectorServer.StartAsync(Mqtt("collector-2"));
        // Each collector has its own store here, so each needs the site's asset.
        await first.RegisterSiteWithAssetAsync("site-m", "pv-m", "inverter");
        await second.RegisterSiteWithAssetAsync("site-m", "pv-m", "inverter");
        await Task.Delay(TimeSpan.FromSeconds(2)); // both subscribed

        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        await using (var site = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = broker.Port, ClientId = "site-m-agent", CleanStart = true }))
        {
            await site.StartAsync(CancellationToken.None);
            await site.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            for (var i = 0; i < 40; i++)
                await site.PublishAsync("nexwatt/v1/site-m/telemetry",
                    CollectorServer.Batch("site-m", "inverter", (ulong)(1 + 5 * i), 5, 1000, start.AddSeconds(5 * i)).ToByteArray(), MqttQualityOfService.AtLeastOnce);
            // A batch on one site's topic that names another site is refused by whichever collector gets it.
            await site.PublishAsync("nexwatt/v1/site-m/telemetry", CollectorServer.Batch("site-x", "inverter", 1000, 5, 1000, start).ToByteArray(), MqttQualityOfService.AtLeastOnce);
        }

        IReadOnlyList<NormalizedSample> a = [], b = [];
        for (var attempt = 0; attempt < 100 && a.Count + b.Count < 200; attempt++)
        {
            await Task.Delay(100);
            a = await first.Store.GetSamplesAsync("pv-m", Measurement.ActivePowerW, start.AddMinutes(-1), start.AddMinutes(10), default);
            b = await second.Store.GetSamplesAsync("pv-m", Measurement.ActivePowerW, start.AddMinutes(-1), start.AddMinutes(10), default);
        }
        Assert.Equal(200, a.Count + b.Count);
        Assert.NotEmpty(a);
        Assert.NotEmpty(b);
        Assert.Empty(a.Select(s => s.Sequence).Intersect(b.Select(s => s.Sequence)));
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (ulong)i), a.Concat(b).Select(s => s.Sequence).Order());
    }
}
