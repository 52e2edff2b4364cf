using System.Diagnostics;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nexwatt.Collector.Dispatch;
using Nexwatt.Collector.Ingest;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Ingest;

/// <summary>
/// Fuzz (FsCheck 3.6) of what the collector takes from the broker, on every topic it subscribes to (telemetry, acks,
/// status) and on topics it does not expect: random bytes, valid messages cut and mutated, huge payloads, hostile topic
/// names, for registered and unregistered sites. Through the real host's handlers in process, then through a real
/// Mosquitto: nothing throws or stalls, every message that is not used is counted as refused (and logged), and the
/// collector's memory stays bounded.
/// </summary>
public sealed class MqttIngestFuzzTests
{
    private const string Prefix = "nexwatt/v1";
    private const string Site = "site-f";
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(20);

    private static readonly byte[] ValidBatch = CollectorServer.Batch(Site, "inverter", 1, 8, 1000, DateTimeOffset.UtcNow.AddMinutes(-5)).ToByteArray();
    private static readonly byte[] InvalidBatch = CollectorServer.Batch(Site, "inverter", 0, 2, 1000, DateTimeOffset.UtcNow.AddMinutes(-5)).ToByteArray();
    private static readonly byte[] ValidAck = new SetpointAck { SetpointId = "sp-x", SiteId = Site, Result = SetpointAck.Types.Result.Applied, Reason = "applied" }.ToByteArray();
    private static readonly byte[] ValidStatus = new SiteStatus { SiteId = Site, State = SiteStatus.Types.State.Offline, AgentVersion = "1.0.0" }.ToByteArray();

    private static readonly Gen<byte[]> RandomBytes = Gen.Choose(0, 600).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n));

    private static Gen<byte[]> Mutated(byte[] valid) =>
        from count in Gen.Choose(0, 4)
        from flips in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, valid.Length - 1), Gen.Choose(0, 255)), count)
        from cut in Gen.Choose(0, valid.Length)
        select Mutate(valid, flips, cut);

    // Up to 3 MB: random, or a field declaring a length far beyond the payload, or a valid batch with one 2 MB text.
    private static readonly Gen<byte[]> Huge = Gen.OneOf(
        Gen.Choose(1, 3).Select(mb =>
        {
            var bytes = new byte[mb * 1024 * 1024];
            Random.Shared.NextBytes(bytes);
            return bytes;
        }),
        Gen.Constant(new byte[] { 0x32, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01 }),
        Gen.Constant(HugeTextBatch()));

    private static readonly Gen<string> Sites = Gen.OneOf(
        Gen.Constant(Site),
        Gen.Elements("site-unknown", "", "a/b", "+", "#", "ß-ünïcødé", "site-f/x"),
        Gen.Choose(0, 1_000_000).Select(n => "ghost-" + n.ToString(CultureInfo.InvariantCulture)),
        Gen.Constant(new string('x', 20_000)));

    private static readonly Gen<(string Topic, string Leaf, byte[] Payload)> Messages =
        from leaf in Gen.Elements("telemetry", "acks", "status", "setpoints", "other")
        from site in Sites
        from payload in Gen.Frequency(
            (4, RandomBytes),
            (6, Mutated(leaf switch { "acks" => ValidAck, "status" => ValidStatus, _ => ValidBatch })),
            (2, Gen.Constant(leaf switch { "acks" => ValidAck, "status" => ValidStatus, _ => ValidBatch })),
            (1, Gen.Constant(Array.Empty<byte>())),
            (1, Gen.Constant(InvalidBatch)), // decodes, but a reading has no sequence
            (1, Huge))
        select ($"{Prefix}/{site}/{leaf}", leaf, payload);

    private static byte[] Mutate(byte[] valid, (int Index, int Value)[] flips, int length)
    {
        var copy = valid[..length];
        foreach (var (index, value) in flips) if (index < copy.Length) copy[index] = (byte)value;
        return copy;
    }

    private static byte[] HugeTextBatch()
    {
        var batch = CollectorServer.Batch(Site, "inverter", 1000, 1, 1, DateTimeOffset.UtcNow.AddMinutes(-5));
        batch.Readings[0].Text = new string('t', 2 * 1024 * 1024);
        return batch.ToByteArray();
    }

    [Fact]
    public async Task Any_payload_on_any_topic_is_stored_or_refused_counted_and_logged_never_a_crash_a_stall_or_a_leak()
    {
        var logs = new CollectedLogs();
        await using var collector = await CollectorServer.StartAsync(logs: logs);
        await collector.RegisterSiteWithAssetAsync(Site, "pv-f", "inverter");
        var hosted = collector.Services.GetServices<IHostedService>().ToList();
        var ingest = hosted.OfType<MqttIngestService>().Single();
        var dispatch = hosted.OfType<DispatchMqttService>().Single();
        var refusals = collector.Services.GetRequiredService<MqttRefusals>();

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var handled = 0;
        var ackMessages = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1500), Prop.ForAll(Messages.ToArbitrary(), m =>
        {
            // Acknowledgements refused by the writer loop are counted a moment later, possibly during the next message.
            long Synchronous() => refusals.Total - refusals.Count(MqttRefusalReasons.InvalidAcknowledgement);
            var before = Synchronous();
            using var stall = new CancellationTokenSource(Stall);
            var message = new MqttApplicationMessage(m.Topic, m.Payload, MqttQualityOfService.AtLeastOnce, Retain: false);
            // Task.Run: the handlers' awaits never need the test's context while the property blocks on them.
            Task.Run(() => m.Leaf is "telemetry" or "setpoints" or "other"
                ? ingest.IngestUntilDoneAsync(Prefix, message, stall.Token)
                : dispatch.HandleAsync(Prefix, message, stall.Token)).GetAwaiter().GetResult();
            handled++;
            if (m.Leaf == "acks") { ackMessages++; return true; } // refused later by the writer loop: counted below
            var refused = Synchronous() - before;
            // A message is used, or counted as refused: exactly one of the two.
            return refused == (Usable(m.Leaf, m.Topic, m.Payload) ? 0 : 1);
        }));

        // Acknowledgements are checked by the writer loop, a moment later; none of these matches a setpoint, so each
        // is refused there, or before it, and counted either way.
        var deadline = DateTime.UtcNow + Stall;
        while (refusals.Count(MqttRefusalReasons.InvalidAcknowledgement) + refusals.Count(MqttRefusalReasons.Undecodable) + refusals.Count(MqttRefusalReasons.UnregisteredSite) < 1
            && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(handled >= 1500);
        Assert.True(ackMessages > 0);

        // Every reason counted was logged (once per site and minute, so at least once).
        foreach (var reason in new[] { MqttRefusalReasons.NotASiteTopic, MqttRefusalReasons.Undecodable, MqttRefusalReasons.UnregisteredSite, MqttRefusalReasons.InvalidTelemetry })
        {
            Assert.True(refusals.Count(reason) > 0, $"no '{reason}' refusal among {handled} messages");
            Assert.Contains(logs.Lines, l => l.Contains("[5006]", StringComparison.Ordinal) && l.Contains($"({reason})", StringComparison.Ordinal));
        }
        // Bounded: the log lines' keys (one per site and reason) and the managed heap, whatever the site ids.
        Assert.True(logs.Lines.Count(l => l.Contains("[5006]", StringComparison.Ordinal)) <= refusals.Total);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var growth = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        Assert.True(growth < 64L * 1024 * 1024, $"the managed heap grew by {growth / 1024 / 1024} MB over {handled} messages");
    }

    [Fact]
    public async Task Fuzzed_messages_through_Mosquitto_are_refused_and_counted_and_ingest_goes_on()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var collector = await CollectorServer.StartAsync(new Dictionary<string, string?>
        {
            ["Collector:MqttIngest:Enabled"] = "true",
            ["Collector:MqttIngest:Host"] = broker.Host,
            ["Collector:MqttIngest:Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Collector:MqttIngest:TlsEnabled"] = "false",
            ["Collector:MqttIngest:SharedGroup"] = "",
            ["Collector:MqttIngest:ClientId"] = "collector-fuzz",
        });
        await collector.RegisterSiteWithAssetAsync(Site, "pv-f", "inverter");
        await Task.Delay(TimeSpan.FromSeconds(1)); // both collector connections subscribed
        var refusals = collector.Services.GetRequiredService<MqttRefusals>();
        await using var stranger = new MqttClient(new MqttClientOptions { Host = broker.Host, Port = broker.Port, ClientId = "fuzzer", CleanStart = true, MaxInFlight = 20 });
        await stranger.StartAsync(CancellationToken.None);
        await stranger.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Stall);

        // Telemetry that the collector cannot use, on the topics it reads: every one refused and counted.
        var junk = Gen.Sample(Gen.OneOf(RandomBytes, Mutated(ValidBatch), Huge), 120)
            .Where(p => !Usable("telemetry", $"{Prefix}/{Site}/telemetry", p)).ToList();
        foreach (var payload in junk)
            await stranger.PublishAsync($"{Prefix}/{Site}/telemetry", payload, MqttQualityOfService.AtLeastOnce);
        foreach (var payload in Gen.Sample(Gen.OneOf(RandomBytes, Mutated(ValidStatus)), 40))
            await stranger.PublishAsync($"{Prefix}/ghost/status", payload, MqttQualityOfService.AtLeastOnce);
        // Then a valid batch: ingest still works, after every refused one (PUBACKs and handling in arrival order).
        await stranger.PublishAsync($"{Prefix}/{Site}/telemetry", ValidBatch, MqttQualityOfService.AtLeastOnce);

        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        await EndToEnd.SiteProcesses.WaitUntil(async () =>
            (await collector.Store.GetSamplesAsync("pv-f", Domain.Measurement.ActivePowerW, start, DateTimeOffset.UtcNow, default)).Count >= 8, "the valid batch after the junk");
        var telemetryRefused = refusals.Count(MqttRefusalReasons.Undecodable) + refusals.Count(MqttRefusalReasons.InvalidTelemetry)
            + refusals.Count(MqttRefusalReasons.ForeignSite);
        Assert.True(telemetryRefused >= junk.Count, $"{telemetryRefused} telemetry refusals counted for {junk.Count} unusable batches");
        var watch = Stopwatch.StartNew();
        while (refusals.Total < junk.Count + 40 && watch.Elapsed < Stall) await Task.Delay(50);
        Assert.Equal(junk.Count + 40, refusals.Total);
    }

    /// <summary>The oracle: would the collector use this message (store the batch, take the status)?</summary>
    private static bool Usable(string leaf, string topic, byte[] payload)
    {
        if (topic != $"{Prefix}/{Site}/{leaf}") return false;
        try
        {
            switch (leaf)
            {
                case "telemetry":
                    var batch = TelemetryBatch.Parser.ParseFrom(payload);
                    return (string.IsNullOrEmpty(batch.SiteId) || batch.SiteId == Site) && TelemetryMapping.Problem(batch) is null;
                case "status":
                    var status = SiteStatus.Parser.ParseFrom(payload);
                    return string.IsNullOrEmpty(status.SiteId) || status.SiteId == Site;
                default:
                    return false;
            }
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }
}
