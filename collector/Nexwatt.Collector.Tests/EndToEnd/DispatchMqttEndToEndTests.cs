using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Nexwatt.Collector.Tests.Ingest;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.EndToEnd;

/// <summary>
/// The other transport, end to end with every real piece: the collector publishes a signed setpoint on Mosquitto, a
/// real agent process (MQTT uplink, the collector's generated public key pinned) verifies it, drives a hardware-sim
/// battery through SunSpec 124 and acknowledges on the acks topic; the collector records the dispatch as confirmed,
/// and the battery is idle again after the window.
/// </summary>
public sealed class DispatchMqttEndToEndTests
{
    [Fact]
    public async Task A_dispatch_over_Mosquitto_drives_the_battery_is_confirmed_and_ends_with_the_battery_idle()
    {
        await using var broker = await Mosquitto.StartAsync();
        var port = broker.Port.ToString(CultureInfo.InvariantCulture);
        await using var collector = await CollectorServer.StartAsync(new Dictionary<string, string?>
        {
            ["Collector:MqttIngest:Enabled"] = "true",
            ["Collector:MqttIngest:Host"] = "127.0.0.1",
            ["Collector:MqttIngest:Port"] = port,
            ["Collector:MqttIngest:TlsEnabled"] = "false",
            ["Collector:MqttIngest:SharedGroup"] = "",
        });
        await collector.RegisterSiteWithAssetAsync("site-dmq", "battery-dmq", "battery", type: "battery");
        await using var sim = PeerProcess.StartDotnetTool("Nexwatt.HardwareSim", "hardware-sim", ["serve", "--battery", "127.0.0.1:0", "--no-table"]);
        var ready = SiteProcesses.Ready().Match((await sim.WaitForLineAsync(l => l.StartsWith("READY battery ", StringComparison.Ordinal), SiteProcesses.Patience)).TrimEnd('\r'));
        // The collector generated its signing key at start, beside its database; the site pins the public half.
        var publicKey = Path.Combine(collector.Directory, "dispatch-signing-key.pub.pem");
        Assert.True(File.Exists(publicKey), "the collector wrote no public key");
        await using var agent = SiteProcesses.StartAgent("site-dmq", ready.Groups["host"].Value, ready.Groups["port"].Value,
            Path.Combine(collector.Directory, "agent-buffer.db"), new Dictionary<string, string>
            {
                ["NEXWATT_Agent__Uplink__Mqtt__Enabled"] = "true",
                ["NEXWATT_Agent__Uplink__Mqtt__Host"] = "127.0.0.1",
                ["NEXWATT_Agent__Uplink__Mqtt__Port"] = port,
                ["NEXWATT_Agent__Uplink__Mqtt__Tls__Enabled"] = "false",
                ["NEXWATT_Agent__Dispatch__CollectorPublicKeyFile"] = publicKey,
                ["NEXWATT_Agent__Dispatch__RevertTimeout"] = "00:00:10",
            }, pollInterval: "00:00:01", deviceId: "battery");
        await SiteProcesses.WaitUntil(async () => (await collector.Store.GetLatestAsync("battery-dmq", default)).Any(l => l.Measurement == Domain.Measurement.StateOfChargePct),
            "the battery's state of charge at the collector", agent);

        var response = await collector.Api.PostAsJsonAsync("/v1/dispatch", new { resource_id = "PJM", mw_requested = 0.003, direction = "discharge", window = new { duration_s = 20 } });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var created = JsonDocument.Parse(body).RootElement;
        var dispatchId = created.GetProperty("dispatch_id").GetString()!;
        Assert.Equal(0.003, created.GetProperty("expected_mw").GetDouble(), 6);

        JsonElement view = default;
        await SiteProcesses.WaitUntil(async () =>
        {
            view = await collector.Api.GetFromJsonAsync<JsonElement>($"/v1/dispatch/{dispatchId}");
            return view.GetProperty("sites").GetProperty("acked").GetArrayLength() == 1;
        }, "the site's acknowledgement over MQTT", agent);
        var ack = JsonDocument.Parse(await collector.Api.GetStringAsync($"/v1/dispatch/{dispatchId}/events")).RootElement.EnumerateArray()
            .First(e => e.GetProperty("kind").GetString() == "site_acknowledged").GetProperty("detail");
        Assert.Equal("applied", ack.GetProperty("result").GetString());
        // The agent measured the battery after the write (it waits up to 2 s for the device's own tick).
        Assert.InRange(ack.GetProperty("measured_w").GetDouble(), 2850, 3150);
        Assert.Contains("WRITE ", sim.Log, StringComparison.Ordinal);

        await SiteProcesses.WaitUntil(async () => (await collector.Api.GetFromJsonAsync<JsonElement>($"/v1/dispatch/{dispatchId}")).GetProperty("status").GetString() == "completed",
            "the window's end", agent);
        await agent.WaitForLineAsync(l => l.Contains("window ended", StringComparison.Ordinal), SiteProcesses.Patience);
    }
}
