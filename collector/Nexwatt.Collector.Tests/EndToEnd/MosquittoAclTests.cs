using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Nexwatt.Collector.Tests.Dispatch;
using Nexwatt.Collector.Tests.Ingest;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.EndToEnd;

/// <summary>
/// The shipped broker setup (packaging/mosquitto: mosquitto.conf with TLS, client certificates and
/// use_identity_as_username, and its acl), with certificates issued by the shipped issue-cert.sh (openssl), in front of
/// the real collector: each site writes its own telemetry, status and acknowledgements and reads its own setpoints, and
/// can neither read nor write anything of another site's subtree, nor write setpoints; the collector's account reads
/// every site's topics (its default shared subscription too) and writes setpoints.
/// </summary>
public sealed class MosquittoAclTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly string Packaging = Path.Combine(RepoPaths.Root, "packaging", "mosquitto");

    [Fact]
    public async Task The_shipped_acl_confines_each_site_to_its_own_subtree_and_lets_the_collector_dispatch()
    {
        var certs = Directory.CreateTempSubdirectory("nexwatt-acl-").FullName;
        try
        {
            await IssueAsync(certs, "ca");
            await IssueAsync(certs, "server", "localhost", "127.0.0.1");
            foreach (var client in new[] { "site-a", "site-b", "nexwatt-collector" }) await IssueAsync(certs, "client", client);
            File.Copy(Path.Combine(Packaging, "acl"), Path.Combine(certs, "acl"));
            File.Move(Path.Combine(certs, "localhost.pem"), Path.Combine(certs, "broker.pem"));
            File.Move(Path.Combine(certs, "localhost.key"), Path.Combine(certs, "broker.key"));
            var shipped = await File.ReadAllTextAsync(Path.Combine(Packaging, "mosquitto.conf"));
            Assert.Contains("listener 8883", shipped, StringComparison.Ordinal);
            await using var broker = await Mosquitto.StartAsync(new MosquittoOptions
            {
                Configuration = port => shipped
                    .Replace("/etc/mosquitto/nexwatt/", certs + "/", StringComparison.Ordinal)
                    .Replace("/var/lib/mosquitto/", certs + "/", StringComparison.Ordinal)
                    .Replace("listener 8883", $"listener {port} 127.0.0.1", StringComparison.Ordinal),
            });
            await RunAsync(broker, certs);
        }
        finally
        {
            Directory.Delete(certs, recursive: true);
        }
    }

    private static async Task RunAsync(Mosquitto broker, string certs)
    {
        var port = broker.Port.ToString(CultureInfo.InvariantCulture);
        await using var collector = await CollectorServer.StartAsync(new Dictionary<string, string?>
        {
            ["Collector:MqttIngest:Enabled"] = "true",
            ["Collector:MqttIngest:Host"] = "127.0.0.1",
            ["Collector:MqttIngest:Port"] = port,
            ["Collector:MqttIngest:TlsEnabled"] = "true",
            ["Collector:MqttIngest:CaCertificateFile"] = Path.Combine(certs, "ca.pem"),
            ["Collector:MqttIngest:ClientCertificateFile"] = Path.Combine(certs, "nexwatt-collector.pem"),
            ["Collector:MqttIngest:ClientKeyFile"] = Path.Combine(certs, "nexwatt-collector.key"),
            ["Collector:MqttIngest:ClientId"] = "collector-acl",
            ["Dispatch:ConfirmTimeout"] = "00:01:00",
            ["Dispatch:SiteSilenceTimeout"] = "00:10:00",
        });
        await collector.RegisterSiteWithAssetAsync("site-a", "bess-a", "battery-1", "battery");
        await collector.RegisterSiteWithAssetAsync("site-b", "bess-b", "battery-1", "battery");

        await using var siteA = await ConnectAsync(broker, certs, "site-a");
        await using var siteB = await ConnectAsync(broker, certs, "site-b");
        // An observer with the collector's identity: what the broker lets through from the sites.
        await using var observer = await ConnectAsync(broker, certs, "nexwatt-collector", "observer");
        foreach (var leaf in new[] { "telemetry", "status", "acks" })
            await observer.SubscribeAsync($"nexwatt/v1/+/{leaf}", MqttQualityOfService.AtLeastOnce, CancellationToken.None);

        // Reading: its own setpoints, nothing of another site, no wildcard over the fleet. Mosquitto 2.0 grants a
        // subscription and applies the read ACL to each message it would deliver: site A asks for everything, and the
        // end of the test checks that it got its own setpoint and nothing else.
        await siteA.SubscribeAsync("nexwatt/v1/site-a/setpoints", MqttQualityOfService.AtLeastOnce, CancellationToken.None);
        await siteB.SubscribeAsync("nexwatt/v1/site-b/setpoints", MqttQualityOfService.AtLeastOnce, CancellationToken.None);
        foreach (var filter in new[] { "nexwatt/v1/site-b/setpoints", "nexwatt/v1/site-b/telemetry", "nexwatt/v1/+/setpoints", "nexwatt/v1/#", "nexwatt/v1/site-b/#" })
        {
            try { await siteA.SubscribeAsync(filter, MqttQualityOfService.AtLeastOnce, CancellationToken.None); }
            catch (MqttSubscribeRejectedException) { }
        }

        // Writing under another site's subtree, or its own setpoints: refused by the broker (or dropped), never delivered.
        var now = DateTimeOffset.UtcNow;
        var forgedBatch = CollectorServer.BatteryBatch("battery-1", 1, 5, 4000, now);
        forgedBatch.SiteId = "site-b";
        await PublishDeniedAsync(siteA, "nexwatt/v1/site-b/telemetry", forgedBatch.ToByteArray());
        await PublishDeniedAsync(siteA, "nexwatt/v1/site-b/status", new SiteStatus { SiteId = "site-b", State = SiteStatus.Types.State.Offline }.ToByteArray());
        await PublishDeniedAsync(siteA, "nexwatt/v1/site-b/acks", new SetpointAck { SiteId = "site-b", SetpointId = "sp-forged" }.ToByteArray());
        await PublishDeniedAsync(siteA, "nexwatt/v1/site-b/setpoints", "forged"u8.ToArray());
        await PublishDeniedAsync(siteA, "nexwatt/v1/site-a/setpoints", "forged"u8.ToArray());
        // Its own topics: allowed. The marker comes after the forgeries on the same connection, so the observer has seen
        // everything the broker let through once it has the marker.
        await siteA.PublishAsync("nexwatt/v1/site-a/telemetry", WithSite(CollectorServer.BatteryBatch("battery-1", 1, 80, 0, now), "site-a").ToByteArray(), MqttQualityOfService.AtLeastOnce);
        await siteA.PublishAsync("nexwatt/v1/site-a/status", new SiteStatus { SiteId = "site-a", State = SiteStatus.Types.State.Online }.ToByteArray(), MqttQualityOfService.AtLeastOnce);
        await siteB.PublishAsync("nexwatt/v1/site-b/telemetry", WithSite(CollectorServer.BatteryBatch("battery-1", 1, 80, 0, now), "site-b").ToByteArray(), MqttQualityOfService.AtLeastOnce);
        var delivered = new List<string>();
        while (!delivered.Contains("nexwatt/v1/site-a/status") || !delivered.Contains("nexwatt/v1/site-b/telemetry"))
            delivered.Add((await observer.Messages.ReadAsync().AsTask().WaitAsync(Patience)).Topic);
        Assert.Equal(["nexwatt/v1/site-a/status", "nexwatt/v1/site-a/telemetry", "nexwatt/v1/site-b/telemetry"], delivered.Order(StringComparer.Ordinal));

        // The collector's own path: both sites' telemetry stored (site B's at 80 %, not the forged 5 %), ...
        await SiteProcesses.WaitUntil(async () =>
            (await collector.Store.GetLatestAsync("bess-a", default)).Count > 0 && (await collector.Store.GetLatestAsync("bess-b", default)).Count > 0, "both sites' telemetry");
        var socB = (await collector.Store.GetLatestAsync("bess-b", default)).Single(l => l.Measurement == Domain.Measurement.StateOfChargePct);
        Assert.Equal(80, socB.Value);

        // ... setpoints written to each site's own topic and read by that site only, acknowledged on its own acks topic.
        var created = await DispatchApi.PostAsync(collector, new { resource_id = "PJM", mw_requested = 0.01, direction = "discharge", window = new { duration_s = 60 } });
        var dispatchId = created.GetProperty("dispatch_id").GetString()!;
        foreach (var (site, client) in new[] { ("site-a", siteA), ("site-b", siteB) })
        {
            // Site A's own telemetry comes back to it (its "nexwatt/v1/#"): writing its own subtree is not reading another's.
            var message = await client.Messages.ReadAsync().AsTask().WaitAsync(Patience);
            while (message.Topic.StartsWith($"nexwatt/v1/{site}/", StringComparison.Ordinal) && !message.Topic.EndsWith("/setpoints", StringComparison.Ordinal))
                message = await client.Messages.ReadAsync().AsTask().WaitAsync(Patience);
            Assert.Equal($"nexwatt/v1/{site}/setpoints", message.Topic);
            var setpoint = Setpoint.Parser.ParseFrom(SignedSetpoint.Parser.ParseFrom(message.Payload.Span).Setpoint);
            Assert.Equal(site, setpoint.SiteId);
            var ack = FakeAgent.Applied(setpoint);
            await client.PublishAsync($"nexwatt/v1/{site}/acks", ack.ToByteArray(), MqttQualityOfService.AtLeastOnce);
        }
        await DispatchApi.WaitForEventAsync(collector, dispatchId, "dispatch_confirmed");
        var view = await DispatchApi.GetAsync(collector, $"/v1/dispatch/{dispatchId}");
        Assert.Equal(["site-a", "site-b"], view.GetProperty("sites").GetProperty("acked").EnumerateArray().Select(s => s.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Array, view.GetProperty("sites").GetProperty("failed").ValueKind);
        Assert.Empty(view.GetProperty("sites").GetProperty("failed").EnumerateArray());
        // Nothing else reached the sites: no forged setpoint, nothing of the other site.
        await Task.Delay(TimeSpan.FromSeconds(1));
        // (Its overlapping subscriptions may bring its own setpoint more than once: a copy per matching filter.)
        while (siteA.Messages.TryRead(out var extra))
        {
            Assert.StartsWith("nexwatt/v1/site-a/", extra.Topic, StringComparison.Ordinal);
            if (extra.Topic.EndsWith("/setpoints", StringComparison.Ordinal))
                Assert.Equal("site-a", Setpoint.Parser.ParseFrom(SignedSetpoint.Parser.ParseFrom(extra.Payload.Span).Setpoint).SiteId);
        }
        Assert.False(siteB.Messages.TryRead(out var extraB), extraB?.Topic);
    }

    private static TelemetryBatch WithSite(TelemetryBatch batch, string siteId)
    {
        batch.SiteId = siteId;
        return batch;
    }

    private static async Task PublishDeniedAsync(MqttClient client, string topic, byte[] payload)
    {
        // Mosquitto answers a denied QoS 1 publish with PUBACK "not authorized" (0x87) to 5.0 clients; either way the
        // observer checks that nothing was delivered.
        try { await client.PublishAsync(topic, payload, MqttQualityOfService.AtLeastOnce); }
        catch (MqttPublishRejectedException ex) { Assert.Equal(0x87, ex.ReasonCode); }
    }

    private static async Task<MqttClient> ConnectAsync(Mosquitto broker, string certs, string identity, string? clientId = null)
    {
        var client = new MqttClient(new MqttClientOptions
        {
            Host = "127.0.0.1",
            Port = broker.Port,
            ClientId = clientId ?? identity + "-agent",
            CleanStart = true,
            Tls = new MqttTlsOptions
            {
                Enabled = true,
                CaCertificateFile = Path.Combine(certs, "ca.pem"),
                ClientCertificateFile = Path.Combine(certs, identity + ".pem"),
                ClientKeyFile = Path.Combine(certs, identity + ".key"),
            },
        });
        await client.StartAsync(CancellationToken.None);
        try
        {
            await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"{identity} could not connect: {client.LastConnectError}. Broker log:\n{broker.Log}");
        }
        return client;
    }

    private static async Task IssueAsync(string directory, params string[] arguments)
    {
        await using var tool = PeerProcess.Start("/bin/sh", new[] { Path.Combine(Packaging, "issue-cert.sh"), directory }.Concat(arguments));
        var code = await tool.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"issue-cert.sh {string.Join(' ', arguments)} exited {code}: {tool.Log}");
    }
}
