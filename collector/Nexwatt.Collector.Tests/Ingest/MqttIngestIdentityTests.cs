using System.Globalization;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Ingest;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Ingest;

/// <summary>
/// MQTT ingest takes telemetry only for registered sites, as gRPC does: a batch on the topic of a site the registry does
/// not know is refused (nothing of it stored), counted, logged once per site per interval, and acknowledged so that the
/// broker does not deliver it again.
/// </summary>
public sealed class MqttIngestIdentityTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Telemetry_of_an_unregistered_site_is_refused_counted_logged_once_and_not_redelivered()
    {
        await using var broker = await Mosquitto.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Collector:MqttIngest:Enabled"] = "true",
            ["Collector:MqttIngest:Host"] = broker.Host,
            ["Collector:MqttIngest:Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Collector:MqttIngest:TlsEnabled"] = "false",
            ["Collector:MqttIngest:SharedGroup"] = "",
            ["Collector:MqttIngest:ClientId"] = "collector-identity",
        };
        var logs = new CollectedLogs();
        var collector = await CollectorServer.StartAsync(settings, deleteOnDispose: false, logs: logs);
        var directory = collector.Directory;
        var (grpcPort, apiPort) = (collector.GrpcPort, collector.ApiPort);
        try
        {
            await collector.RegisterSiteWithAssetAsync("site-known", "pv-known", "inverter");
            await using var stranger = await ConnectAsync(broker, "stranger");
            var start = DateTimeOffset.UtcNow.AddMinutes(-5);
            for (var i = 0; i < 3; i++)
            {
                var batch = CollectorServer.Batch("site-ghost", "inverter", 1 + (ulong)i * 5, 5, 1000, start.AddSeconds(i * 5));
                batch.Gaps.Add(new Gap { FirstSequence = 100 + (ulong)i, LastSequence = 100 + (ulong)i, ReadingsLost = 1, FromTimeUs = 1, ToTimeUs = 2, DeviceIds = { "inverter" } });
                await stranger.PublishAsync("nexwatt/v1/site-ghost/telemetry", batch.ToByteArray(), MqttQualityOfService.AtLeastOnce);
            }
            // A registered site's batch behind them: once it is stored, the three before it were handled (in order).
            await stranger.PublishAsync("nexwatt/v1/site-known/telemetry",
                CollectorServer.Batch("site-known", "inverter", 1, 5, 1000, start).ToByteArray(), MqttQualityOfService.AtLeastOnce);
            await WaitUntilAsync(async () => (await collector.Store.GetSamplesAsync("pv-known", Measurement.ActivePowerW, start.AddMinutes(-1), start.AddMinutes(1), default)).Count == 5);

            var refusals = collector.Services.GetRequiredService<MqttRefusals>();
            Assert.Equal(3, refusals.Count(MqttRefusalReasons.UnregisteredSite));
            Assert.Empty(await collector.Store.GetGapsAsync("site-ghost", DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddDays(1), default));
            // Not stored: the same reading goes in as new now.
            var reading = TelemetryMapping.ToIngested("site-ghost", CollectorServer.Batch("site-ghost", "inverter", 1, 1, 1000, start).Readings[0], DateTimeOffset.UtcNow, false);
            Assert.Equal(1, await collector.Store.InsertReadingsAsync([reading], default));
            var lines = logs.Lines.Where(l => l.Contains("unregistered site", StringComparison.Ordinal) && l.Contains("site-ghost", StringComparison.Ordinal)).ToList();
            Assert.Single(lines);
            Assert.Contains("[5006]", lines[0], StringComparison.Ordinal);
        }
        finally
        {
            await collector.DisposeAsync();
        }

        // The same session again: had the refused batches not been acknowledged, the broker would deliver them now.
        var again = await CollectorServer.StartAsync(settings, directory, grpcPort, apiPort, deleteOnDispose: true);
        await using (again)
        {
            await using var probe = await ConnectAsync(broker, "probe");
            await probe.PublishAsync("nexwatt/v1/site-known/telemetry",
                CollectorServer.Batch("site-known", "inverter", 6, 5, 1000, DateTimeOffset.UtcNow.AddMinutes(-4)).ToByteArray(), MqttQualityOfService.AtLeastOnce);
            await WaitUntilAsync(async () => (await again.Store.GetSamplesAsync("pv-known", Measurement.ActivePowerW, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow, default)).Count == 10);
            Assert.Equal(0, again.Services.GetRequiredService<MqttRefusals>().Total);
        }
    }

    private static async Task<MqttClient> ConnectAsync(Mosquitto broker, string clientId)
    {
        var client = new MqttClient(new MqttClientOptions { Host = broker.Host, Port = broker.Port, ClientId = clientId, CleanStart = true });
        await client.StartAsync(CancellationToken.None);
        await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Patience);
        return client;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(100);
        }
    }
}
