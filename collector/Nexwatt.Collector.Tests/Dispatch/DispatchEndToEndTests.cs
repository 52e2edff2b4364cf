using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Nexwatt.Collector.Normalization;
using Nexwatt.Collector.Tests.Ingest;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Dispatch;

/// <summary>
/// The collector's dispatch in process: fake agents on the real transports (gRPC on loopback, MQTT through
/// Mosquitto) receive signed setpoints, acknowledge them, and the collector confirms, re-allocates and settles.
/// </summary>
public sealed class DispatchEndToEndTests
{
    private static Dictionary<string, string?> Settings(TimeSpan confirm, Mosquitto? broker = null, TimeSpan? silence = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Dispatch:ConfirmTimeout"] = confirm.ToString("c", CultureInfo.InvariantCulture),
            ["Dispatch:ResendInterval"] = "00:00:01",
            ["Dispatch:SiteSilenceTimeout"] = (silence ?? TimeSpan.FromMinutes(10)).ToString("c", CultureInfo.InvariantCulture),
            ["Dispatch:CapacityPricePerMw"] = "1000",
            ["Dispatch:Programs:summer:ReservePct"] = "30",
        };
        if (broker is not null)
        {
            settings["Collector:MqttIngest:Enabled"] = "true";
            settings["Collector:MqttIngest:Host"] = "127.0.0.1";
            settings["Collector:MqttIngest:Port"] = broker.Port.ToString(CultureInfo.InvariantCulture);
            settings["Collector:MqttIngest:TlsEnabled"] = "false";
            settings["Collector:MqttIngest:SharedGroup"] = "";
            settings["Collector:MqttIngest:ClientId"] = "collector-dispatch-test";
        }
        return settings;
    }

    /// <summary>A registered site with one 10 kW / 13.5 kWh battery in PJM at 80 % state of charge, online by its telemetry.</summary>
    private static async Task<string> BatterySiteAsync(CollectorServer server, string siteId)
    {
        var token = await server.RegisterSiteWithAssetAsync(siteId, "bess-" + siteId, "battery-1", "battery");
        var acks = await server.UploadAsync(token, CollectorServer.BatteryBatch("battery-1", 1, 80, 0, DateTimeOffset.UtcNow.AddSeconds(-1)));
        Assert.Equal(UploadAck.Types.Status.Stored, Assert.Single(acks).Status);
        return token;
    }

    [Fact]
    public async Task Setpoints_reach_agents_over_grpc_and_mqtt_signed_and_their_acks_confirm_the_dispatch()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var server = await CollectorServer.StartAsync(Settings(TimeSpan.FromSeconds(60), broker));
        var grpcToken = await BatterySiteAsync(server, "site-g");
        await BatterySiteAsync(server, "site-m");
        using var key = DispatchApi.PublicKey(server);
        await using var grpcAgent = new GrpcAgent(server, grpcToken);
        await using var mqttAgent = await MqttAgent.StartAsync(broker.Port, "site-m");
        await Task.Delay(TimeSpan.FromSeconds(1)); // the stream is open and the collector's dispatch client subscribed

        var created = await DispatchApi.PostAsync(server, new { resource_id = "PJM", mw_requested = 0.01, direction = "discharge", window = new { duration_s = 60 } });
        var dispatchId = created.GetProperty("dispatch_id").GetString()!;
        Assert.Equal(0.01, created.GetProperty("expected_mw").GetDouble(), 6);
        Assert.Equal(0, created.GetProperty("shortfall_mw").GetDouble(), 6);
        Assert.Equal(2, created.GetProperty("assets").GetArrayLength());

        var (_, overGrpc) = await grpcAgent.NextAsync(key);
        var (signedOverMqtt, overMqtt) = await mqttAgent.NextAsync(key);
        Assert.Equal(("site-g", dispatchId), (overGrpc.SiteId, overGrpc.DispatchId));
        Assert.Equal(("site-m", dispatchId), (overMqtt.SiteId, overMqtt.DispatchId));
        var target = Assert.Single(overGrpc.Targets);
        Assert.Equal(("battery-1", 5000.0), (target.DeviceId, target.ActivePowerW)); // half each, discharge positive
        Assert.False(target.HasExportLimitPct);
        Assert.True(overGrpc.ExpiryTimeUs - overGrpc.StartTimeUs == 60_000_000);

        // A tampered setpoint does not verify; another site's setpoint cannot be acknowledged.
        var tampered = signedOverMqtt.Clone();
        tampered.Setpoint = ByteString.CopyFrom(overMqtt.Clone().ToByteArray().Append((byte)0).ToArray());
        Assert.False(Nexwatt.Protos.Signing.SetpointSignature.Verify(tampered, key));
        Assert.False((await server.AcknowledgeAsync(grpcToken, FakeAgent.Applied(overMqtt))).Accepted);
        Assert.False((await server.AcknowledgeAsync(grpcToken, new SetpointAck { SetpointId = "sp-unknown", Result = SetpointAck.Types.Result.Applied })).Accepted);

        await grpcAgent.AcknowledgeAsync(FakeAgent.Applied(overGrpc));
        await mqttAgent.AcknowledgeAsync(FakeAgent.Applied(overMqtt));

        var events = await DispatchApi.WaitForEventAsync(server, dispatchId, "dispatch_confirmed");
        Assert.Equal(["instruction_received", "allocated", "setpoints_issued", "site_acknowledged", "site_acknowledged", "dispatch_confirmed"],
            events.Select(e => e.GetProperty("kind").GetString()));
        var confirmed = events[^1].GetProperty("detail");
        Assert.Equal((2, 2), (confirmed.GetProperty("sites").GetInt32(), confirmed.GetProperty("assets").GetInt32()));
        Assert.Equal(0.01, confirmed.GetProperty("mw_confirmed").GetDouble(), 6);
        Assert.InRange(confirmed.GetProperty("seconds_since_instruction").GetDouble(), 0, 30);

        var view = await DispatchApi.GetAsync(server, $"/v1/dispatch/{dispatchId}");
        Assert.Equal("confirmed", view.GetProperty("status").GetString());
        Assert.Equal(0.01, view.GetProperty("confirmed_mw").GetDouble(), 6);
        Assert.Equal(["site-g", "site-m"], view.GetProperty("sites").GetProperty("acked").EnumerateArray().Select(s => s.GetString()));
        Assert.Empty(view.GetProperty("sites").GetProperty("pending").EnumerateArray());

        // A reconnecting agent gets the site's live setpoint again on its new stream.
        await using var reconnected = new GrpcAgent(server, grpcToken);
        Assert.Equal(overGrpc.SetpointId, (await reconnected.NextAsync(key)).Setpoint.SetpointId);
    }

    [Fact]
    public async Task Acknowledgements_arriving_together_are_each_answered_after_recording_and_logged_once_with_their_arrival_time()
    {
        await using var server = await CollectorServer.StartAsync(Settings(TimeSpan.FromSeconds(60)));
        var sites = Enumerable.Range(1, 6).Select(i => $"site-{i}").ToList();
        var tokens = new Dictionary<string, string>();
        foreach (var site in sites) tokens[site] = await BatterySiteAsync(server, site);
        using var key = DispatchApi.PublicKey(server);
        var agents = sites.Select(site => new GrpcAgent(server, tokens[site])).ToList();
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var created = await DispatchApi.PostAsync(server, new { resource_id = "PJM", mw_requested = 0.03, direction = "discharge", window = new { duration_s = 60 } });
            var dispatchId = created.GetProperty("dispatch_id").GetString()!;
            var setpoints = new List<Setpoint>();
            foreach (var agent in agents) setpoints.Add((await agent.NextAsync(key)).Setpoint);

            // All at once, so the writer takes them as one group or a few: every site's answer twice (both copies
            // accepted, one recorded), one answer for another site's setpoint and one naming another dispatch.
            var sent = DateTimeOffset.UtcNow;
            var otherDispatch = FakeAgent.Applied(setpoints[1]);
            otherDispatch.DispatchId = "d-another";
            List<(string Site, SetpointAck Ack, bool Accepted)> answers =
            [
                .. setpoints.Select(s => (s.SiteId, FakeAgent.Applied(s), true)),
                .. setpoints.Select(s => (s.SiteId, FakeAgent.Applied(s), true)),
                ("site-1", FakeAgent.Applied(setpoints[1]), false),
                ("site-2", otherDispatch, false),
            ];
            var receipts = await Task.WhenAll(answers.Select(a => server.AcknowledgeAsync(tokens[a.Site], a.Ack)));
            var answered = DateTimeOffset.UtcNow;
            Assert.Equal(answers.Select(a => a.Accepted), receipts.Select(r => r.Accepted));

            // Answered after recording: the log already holds every site's acknowledgement, once, timed on arrival.
            var acknowledged = (await DispatchApi.EventsAsync(server, dispatchId)).Where(e => e.GetProperty("kind").GetString() == "site_acknowledged").ToList();
            Assert.Equal(sites, acknowledged.Select(e => e.GetProperty("detail").GetProperty("site_id").GetString()).Order(StringComparer.Ordinal));
            Assert.All(acknowledged, e => Assert.InRange(e.GetProperty("time").GetDateTimeOffset(), sent.AddMilliseconds(-1), answered));
            var sequences = acknowledged.Select(e => e.GetProperty("seq").GetInt64()).ToList();
            Assert.Equal(sequences.Distinct().Count(), sequences.Count);

            await DispatchApi.WaitForEventAsync(server, dispatchId, "dispatch_confirmed");
        }
        finally
        {
            foreach (var agent in agents) await agent.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_site_that_never_acknowledges_has_its_share_reallocated_and_the_window_end_is_settled()
    {
        await using var server = await CollectorServer.StartAsync(Settings(TimeSpan.FromSeconds(2)));
        var tokens = new Dictionary<string, string>();
        foreach (var site in new[] { "site-a", "site-b", "site-c" }) tokens[site] = await BatterySiteAsync(server, site);
        using var key = DispatchApi.PublicKey(server);
        await using var a = new GrpcAgent(server, tokens["site-a"]);
        await using var b = new GrpcAgent(server, tokens["site-b"]);
        await using var silent = new GrpcAgent(server, tokens["site-c"]);
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        // On the 5 s telemetry grid, so the settlement intervals line up with the window.
        var start = IntervalGrid.Ceiling(DateTimeOffset.UtcNow.AddSeconds(1), TimeSpan.FromSeconds(5));
        var created = await DispatchApi.PostAsync(server, new { resource_id = "PJM", mw_requested = 0.015, direction = "discharge", window = new { start, end = start.AddSeconds(15) } });
        var dispatchId = created.GetProperty("dispatch_id").GetString()!;

        var firstA = (await a.NextAsync(key)).Setpoint;
        var firstB = (await b.NextAsync(key)).Setpoint;
        var firstC = (await silent.NextAsync(key)).Setpoint;
        Assert.Equal(5000, Assert.Single(firstC.Targets).ActivePowerW, 1);
        await a.AcknowledgeAsync(FakeAgent.Applied(firstA));
        await b.AcknowledgeAsync(FakeAgent.Applied(firstB));
        // Unacknowledged, it comes again (same id: the agent dedupes), then the site fails and gets "stop now".
        Assert.Equal(firstC.SetpointId, (await silent.NextAsync(key)).Setpoint.SetpointId);
        var stop = await silent.NextOtherThanAsync(key, firstC.SetpointId);
        Assert.Empty(stop.Targets);
        Assert.True(stop.IssuedTimeUs > firstC.IssuedTimeUs);

        var secondA = await a.NextOtherThanAsync(key, firstA.SetpointId);
        var secondB = await b.NextOtherThanAsync(key, firstB.SetpointId);
        Assert.Equal(7500, Assert.Single(secondA.Targets).ActivePowerW, 1);
        Assert.Equal(7500, Assert.Single(secondB.Targets).ActivePowerW, 1);
        await a.AcknowledgeAsync(FakeAgent.Applied(secondA));
        await b.AcknowledgeAsync(FakeAgent.Applied(secondB));

        var events = await DispatchApi.WaitForEventAsync(server, dispatchId, "dispatch_confirmed");
        var failed = events.Single(e => e.GetProperty("kind").GetString() == "site_failed").GetProperty("detail");
        Assert.Equal("site-c", failed.GetProperty("site_id").GetString());
        Assert.StartsWith("no acknowledgement within 2 s", failed.GetProperty("reason").GetString());
        var reallocated = events.Single(e => e.GetProperty("kind").GetString() == "reallocated").GetProperty("detail");
        Assert.Equal((0.015, 0.015), (reallocated.GetProperty("from_mw").GetDouble(), reallocated.GetProperty("to_mw").GetDouble()));
        Assert.Equal(["bess-site-c"], reallocated.GetProperty("failed_assets").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(3, reallocated.GetProperty("sites_updated").GetInt32());
        Assert.Equal(2, events.Count(e => e.GetProperty("kind").GetString() == "setpoints_issued"));

        var view = await DispatchApi.GetAsync(server, $"/v1/dispatch/{dispatchId}");
        Assert.Equal(["site-c"], view.GetProperty("sites").GetProperty("failed").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(1, view.GetProperty("revision").GetInt32());

        events = await DispatchApi.WaitForEventAsync(server, dispatchId, "settlement_generated", timeout: TimeSpan.FromSeconds(40));
        Assert.Equal(["window_ended", "settlement_generated"], events.TakeLast(2).Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal("completed", (await DispatchApi.GetAsync(server, $"/v1/dispatch/{dispatchId}")).GetProperty("status").GetString());
        var settlement = await DispatchApi.GetAsync(server, $"/v1/dispatch/{dispatchId}/settlement?format=json");
        Assert.Equal(dispatchId, settlement.GetProperty("dispatch_id").GetString());
        var csv = await server.Api.GetAsync($"/v1/dispatch/{dispatchId}/settlement?format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Contains("bess-site-a", await csv.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_rejecting_site_and_a_site_whose_agent_died_are_failed_and_the_rest_takes_their_share()
    {
        await using var broker = await Mosquitto.StartAsync();
        // Site M's death shows as what it is, silence (its last telemetry is its registration's): a status alone fails nobody.
        await using var server = await CollectorServer.StartAsync(Settings(TimeSpan.FromSeconds(60), broker, silence: TimeSpan.FromSeconds(8)));
        var tokenA = await BatterySiteAsync(server, "site-a");
        var tokenB = await BatterySiteAsync(server, "site-b");
        await BatterySiteAsync(server, "site-m");
        using var key = DispatchApi.PublicKey(server);
        await using var a = new GrpcAgent(server, tokenA);
        await using var b = new GrpcAgent(server, tokenB);
        await using var m = await MqttAgent.StartAsync(broker.Port, "site-m");
        await Task.Delay(TimeSpan.FromSeconds(1));

        var created = await DispatchApi.PostAsync(server, new { resource_id = "PJM", mw_requested = 0.015, direction = "discharge", window = new { duration_s = 120 } });
        var dispatchId = created.GetProperty("dispatch_id").GetString()!;
        var firstA = (await a.NextAsync(key)).Setpoint;
        var firstB = (await b.NextAsync(key)).Setpoint;
        await m.NextAsync(key);

        await a.AcknowledgeAsync(FakeAgent.Applied(firstA));
        var rejected = FakeAgent.Applied(firstB);
        rejected.Result = SetpointAck.Types.Result.Rejected;
        rejected.Reason = "state of charge below the site limit";
        rejected.Targets[0].Result = SetpointAck.Types.Result.Rejected;
        rejected.MeasuredW = double.NaN; // could not read back: stored as unknown
        await b.AcknowledgeAsync(rejected);
        // The site's agent dies: the broker publishes its will, OFFLINE.
        await m.PublishStatusAsync(SiteStatus.Types.State.Offline);

        var events = await DispatchApi.WaitForEventAsync(server, dispatchId, "site_failed", count: 2);
        var failures = events.Where(e => e.GetProperty("kind").GetString() == "site_failed").Select(e => e.GetProperty("detail"))
            .ToDictionary(d => d.GetProperty("site_id").GetString()!, d => d.GetProperty("reason").GetString()!);
        Assert.Equal("rejected: state of charge below the site limit", failures["site-b"]);
        Assert.StartsWith("dropped", failures["site-m"]);
        Assert.Empty((await b.NextOtherThanAsync(key, firstB.SetpointId)).Targets);

        // Site A alone, at its 10 kW rating: a shortfall, and its new setpoint replaces the first.
        var latestA = await a.NextOtherThanAsync(key, firstA.SetpointId);
        while (Assert.Single(latestA.Targets).ActivePowerW < 9999) latestA = await a.NextOtherThanAsync(key, latestA.SetpointId);
        Assert.Equal(10000, latestA.Targets[0].ActivePowerW, 1);
        await a.AcknowledgeAsync(FakeAgent.Applied(latestA));
        events = await DispatchApi.WaitForEventAsync(server, dispatchId, "dispatch_confirmed");
        Assert.Equal(0.01, events.Last(e => e.GetProperty("kind").GetString() == "reallocated").GetProperty("detail").GetProperty("to_mw").GetDouble(), 6);
        var view = await DispatchApi.GetAsync(server, $"/v1/dispatch/{dispatchId}");
        Assert.Equal(["site-b", "site-m"], view.GetProperty("sites").GetProperty("failed").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(["site-a"], view.GetProperty("sites").GetProperty("acked").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal((0.01, 0.01), (view.GetProperty("expected_mw").GetDouble(), view.GetProperty("confirmed_mw").GetDouble()));
        var ack = events.First(e => e.GetProperty("kind").GetString() == "site_acknowledged" && e.GetProperty("detail").GetProperty("site_id").GetString() == "site-b");
        Assert.Equal(JsonValueKind.Null, ack.GetProperty("detail").GetProperty("measured_w").ValueKind);
    }

    [Fact]
    public async Task A_forged_offline_status_does_not_remove_a_site_whose_telemetry_flows_but_its_silence_does()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var server = await CollectorServer.StartAsync(Settings(TimeSpan.FromSeconds(60), broker, silence: TimeSpan.FromSeconds(5)));
        await BatterySiteAsync(server, "site-m");
        using var key = DispatchApi.PublicKey(server);
        await using var m = await MqttAgent.StartAsync(broker.Port, "site-m");
        using var stopTelemetry = new CancellationTokenSource();
        var telemetry = Task.Run(async () =>
        {
            for (ulong sequence = 10; !stopTelemetry.IsCancellationRequested; sequence += 2)
            {
                await m.PublishTelemetryAsync(CollectorServer.BatteryBatch("battery-1", sequence, 80, 0, DateTimeOffset.UtcNow));
                try { await Task.Delay(TimeSpan.FromSeconds(1), stopTelemetry.Token); }
                catch (OperationCanceledException) { }
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(1));

        var created = await DispatchApi.PostAsync(server, new { resource_id = "PJM", mw_requested = 0.005, direction = "discharge", window = new { duration_s = 120 } });
        var dispatchId = created.GetProperty("dispatch_id").GetString()!;
        var (_, setpoint) = await m.NextAsync(key);
        // Any client of the broker (here without an ACL), or a will of one of the site's own stale connections.
        await using (var stranger = new Nexwatt.Protocols.Mqtt.MqttClient(new Nexwatt.Protocols.Mqtt.MqttClientOptions { Host = "127.0.0.1", Port = broker.Port, ClientId = "stranger", CleanStart = true }))
        {
            await stranger.StartAsync(CancellationToken.None);
            await stranger.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            await stranger.PublishAsync("nexwatt/v1/site-m/status", new SiteStatus { SiteId = "site-m", State = SiteStatus.Types.State.Offline }.ToByteArray(),
                Nexwatt.Protocols.Mqtt.MqttQualityOfService.AtLeastOnce, retain: true);
        }
        await Task.Delay(TimeSpan.FromSeconds(4)); // four monitor passes
        await m.AcknowledgeAsync(FakeAgent.Applied(setpoint));
        var events = await DispatchApi.WaitForEventAsync(server, dispatchId, "dispatch_confirmed");
        Assert.DoesNotContain(events, e => e.GetProperty("kind").GetString() == "site_failed");

        // Evidence, on the other hand: the site's telemetry stops, and after the silence timeout it is failed.
        await stopTelemetry.CancelAsync();
        await telemetry;
        events = await DispatchApi.WaitForEventAsync(server, dispatchId, "site_failed", timeout: TimeSpan.FromSeconds(30));
        var failed = events.First(e => e.GetProperty("kind").GetString() == "site_failed").GetProperty("detail");
        Assert.Equal("site-m", failed.GetProperty("site_id").GetString());
        Assert.StartsWith("dropped: no telemetry or acknowledgement for more than 5 s", failed.GetProperty("reason").GetString());
    }

    [Fact]
    public void Targets_carry_the_direction_as_sign_and_curtailment_as_an_export_limit()
    {
        var asset = new Nexwatt.Collector.Dispatch.Allocation.AssetAllocation("pv-1", "site-a", "inverter-1", "default", 3, 8, "test");
        var candidate = new Nexwatt.Collector.Dispatch.Allocation.AllocationCandidate("pv-1", "site-a", "inverter-1", Nexwatt.Collector.Domain.AssetType.Solar,
            "default", 10, null, null, 20, 95, 8, true);

        var discharge = Nexwatt.Collector.Dispatch.DispatchService.Target(Nexwatt.Collector.Dispatch.Allocation.DispatchDirection.Discharge, asset, candidate);
        // A discharge carries the program's reserve, so the agent can stop at it by itself.
        Assert.Equal((3000.0, true, 20.0), (discharge.ActivePowerW, discharge.HasMinSocPct, discharge.MinSocPct));
        Assert.Equal(-3000, Nexwatt.Collector.Dispatch.DispatchService.Target(Nexwatt.Collector.Dispatch.Allocation.DispatchDirection.Charge, asset, candidate).ActivePowerW);
        var curtail = Nexwatt.Collector.Dispatch.DispatchService.Target(Nexwatt.Collector.Dispatch.Allocation.DispatchDirection.Curtail, asset, candidate);
        // Exporting 8 kW of a 10 kW rating, cut by 3 kW: limit 5 kW = 50 %.
        Assert.Equal((0.0, true, 50.0), (curtail.ActivePowerW, curtail.HasExportLimitPct, curtail.ExportLimitPct));
    }

    [Fact]
    public async Task A_dispatch_survives_a_collector_restart_and_is_confirmed_after_it()
    {
        var server = await CollectorServer.StartAsync(Settings(TimeSpan.FromSeconds(60)));
        try
        {
            var token = await BatterySiteAsync(server, "site-r");
            string dispatchId, setpointId;
            using (var key = DispatchApi.PublicKey(server))
            await using (var agent = new GrpcAgent(server, token))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300));
                dispatchId = (await DispatchApi.PostAsync(server, new { resource_id = "PJM", mw_requested = 0.004, direction = "charge", window = new { duration_s = 120 } }))
                    .GetProperty("dispatch_id").GetString()!;
                var setpoint = (await agent.NextAsync(key)).Setpoint;
                Assert.Equal(-4000, Assert.Single(setpoint.Targets).ActivePowerW, 1); // charge is negative
                setpointId = setpoint.SetpointId;
            }
            var (directory, grpc, api) = (server.Directory, server.GrpcPort, server.ApiPort);
            await server.DisposeAsyncKeepingDirectory();

            server = await CollectorServer.StartAsync(Settings(TimeSpan.FromSeconds(60)), directory, grpc, api);
            using var sameKey = DispatchApi.PublicKey(server);
            await using var reconnected = new GrpcAgent(server, token);
            var again = (await reconnected.NextAsync(sameKey)).Setpoint;
            Assert.Equal(setpointId, again.SetpointId);
            await reconnected.AcknowledgeAsync(FakeAgent.Applied(again));

            await DispatchApi.WaitForEventAsync(server, dispatchId, "dispatch_confirmed");
            Assert.Equal("confirmed", (await DispatchApi.GetAsync(server, $"/v1/dispatch/{dispatchId}")).GetProperty("status").GetString());
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Setpoint_calls_without_a_site_identity_are_unauthenticated()
    {
        await using var server = await CollectorServer.StartAsync(Settings(TimeSpan.FromSeconds(60)));

        using var stream = server.StreamSetpoints("not-a-site-token");
        var streamError = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, streamError.StatusCode);
        var ackError = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            server.AcknowledgeAsync("not-a-site-token", new SetpointAck { SetpointId = "sp-1", Result = SetpointAck.Types.Result.Applied }));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, ackError.StatusCode);
    }

    [Fact]
    public async Task Each_sites_answer_is_exported_as_dispatch_latency_by_outcome_on_the_metrics_endpoint()
    {
        await using var server = await CollectorServer.StartAsync(Settings(TimeSpan.FromSeconds(2)));
        // A second collector host in the same process, idle: it must export none of the first one's dispatches.
        await using var bystander = await CollectorServer.StartAsync(Settings(TimeSpan.FromSeconds(2)));
        var tokens = new Dictionary<string, string>();
        foreach (var site in new[] { "site-a", "site-r", "site-s" }) tokens[site] = await BatterySiteAsync(server, site);
        using var key = DispatchApi.PublicKey(server);
        await using var applying = new GrpcAgent(server, tokens["site-a"]);
        await using var rejecting = new GrpcAgent(server, tokens["site-r"]);
        await using var silent = new GrpcAgent(server, tokens["site-s"]);
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        await DispatchApi.PostAsync(server, new { resource_id = "PJM", mw_requested = 0.015, direction = "discharge", window = new { duration_s = 60 } });
        await applying.AcknowledgeAsync(FakeAgent.Applied((await applying.NextAsync(key)).Setpoint));
        var refused = FakeAgent.Applied((await rejecting.NextAsync(key)).Setpoint);
        (refused.Result, refused.Reason) = (SetpointAck.Types.Result.Rejected, "battery in maintenance");
        await rejecting.AcknowledgeAsync(refused);
        _ = await silent.NextAsync(key); // received, never answered: timed out after the 2 s confirmation timeout

        IReadOnlyList<PrometheusParser.Sample> samples = [];
        var scrape = "";
        // Generous: once seen on a loaded CI machine, the timeout was not in the scrape within 20 s of the site failing.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!samples.Any(s => s.Name.EndsWith("_count", StringComparison.Ordinal) && s.Labels["outcome"] == "timeout") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            scrape = await server.Api.GetStringAsync("/metrics");
            var families = await PrometheusParser.ParseAsync(scrape);
            var latency = families.SingleOrDefault(f => f.Name == "nexwatt_collector_dispatch_latency_seconds");
            if (latency is null) continue;
            Assert.Equal("histogram", latency.Type);
            samples = latency.Samples;
        }
        Assert.True(samples.Any(s => s.Labels["outcome"] == "timeout"),
            $"no timeout in 60 s; the last scrape's dispatch latency lines:\n{string.Join('\n', scrape.Split('\n').Where(l => l.Contains("dispatch_latency", StringComparison.Ordinal)))}");
        double Value(string suffix, string outcome) => samples.Single(s => s.Name == "nexwatt_collector_dispatch_latency_seconds" + suffix && s.Labels["outcome"] == outcome).Value;
        Assert.Equal(1, Value("_count", "applied"));
        Assert.Equal(1, Value("_count", "rejected"));
        // site-s at least; the re-allocations after the rejection and the timeout may send site-a a new share, unanswered too.
        Assert.InRange(Value("_count", "timeout"), 1, 3);
        Assert.InRange(Value("_sum", "applied"), 0, 10);
        Assert.InRange(Value("_sum", "timeout") / Value("_count", "timeout"), 2, 5); // the confirmation timeout, plus up to a monitor pass
        var bystanderLatency = (await PrometheusParser.ParseAsync(await bystander.Api.GetStringAsync("/metrics")))
            .SingleOrDefault(f => f.Name == "nexwatt_collector_dispatch_latency_seconds");
        Assert.True(bystanderLatency is null || bystanderLatency.Samples.All(s => !s.Name.EndsWith("_count", StringComparison.Ordinal) || s.Value == 0),
            "the idle collector exported the other one's dispatch latency");
    }
}
