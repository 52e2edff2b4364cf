using System.Globalization;
using Google.Protobuf;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Tests.Ingest;
using Nexwatt.EdgeAgent;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.EdgeAgent.Uplink;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.EndToEnd;

/// <summary>
/// A backlog of more than 1 MB, drained as one batch by the agent's own uplink (its durable buffer, pump and MQTT
/// transport, in process) through a real Mosquitto into the real collector's MQTT ingest: every reading is stored and
/// only then leaves the agent's buffer, whether the agent sends it as one message (the collector announces a Maximum
/// Packet Size that takes it), splits it to its own configured maximum, or to the smaller one the broker announces.
/// </summary>
public sealed class MqttLargeBatchTests
{
    private const string Site = "site-big";
    private const int Chunks = 26;
    private const int ReadingsPerChunk = 1000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public static TheoryData<int, int?, int> Paths => new()
    {
        // Agent's MaxMessageBytes, the broker's max_packet_size (announced in CONNACK), the most messages expected.
        { 4 * 1024 * 1024, null, 1 },   // one 1.1 MB message: the collector's announced maximum must cover it
        { 256 * 1024, null, 8 },        // split by the agent's own (default) maximum
        { 4 * 1024 * 1024, 200_000, 8 }, // split by the broker's smaller maximum, learnt from its CONNACK
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task A_batch_over_one_megabyte_is_stored_whole_before_it_leaves_the_agents_buffer(int maxMessageBytes, int? brokerMaxPacket, int maxMessages)
    {
        await using var broker = await Mosquitto.StartAsync(new MosquittoOptions
        {
            ExtraConfiguration = brokerMaxPacket is { } max ? [$"max_packet_size {max}"] : [],
        });
        var collectorLogs = new CollectedLogs();
        await using var collector = await CollectorServer.StartAsync(new Dictionary<string, string?>
        {
            ["Collector:MqttIngest:Enabled"] = "true",
            ["Collector:MqttIngest:Host"] = broker.Host,
            ["Collector:MqttIngest:Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Collector:MqttIngest:TlsEnabled"] = "false",
            ["Collector:MqttIngest:SharedGroup"] = "",
            ["Collector:MqttIngest:ClientId"] = "collector-big",
        }, logs: collectorLogs);
        await collector.RegisterSiteWithAssetAsync(Site, "pv-big", "inverter");

        // What the broker hands out: every telemetry message, as an independent observer with no size limit of its own.
        await using var spy = new MqttClient(new MqttClientOptions
        {
            Host = broker.Host, Port = broker.Port, ClientId = "spy", CleanStart = true, MaxIncomingPacketSize = 16 * 1024 * 1024, IncomingMessageCapacity = 10_000,
        });
        await spy.SubscribeAsync($"nexwatt/v1/{Site}/telemetry", MqttQualityOfService.AtLeastOnce, CancellationToken.None);
        await spy.StartAsync(CancellationToken.None);
        await spy.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Patience);

        using var folder = new TempDirectory();
        var agentLogs = new CollectedLogs();
        var agentLogger = agentLogs.CreateLogger("agent");
        await using var buffer = ReadingBuffer.Open(new BufferOptions { Path = Path.Combine(folder.Path, "buffer.db") }, TimeProvider.System, agentLogger);
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        for (var chunk = 0; chunk < Chunks; chunk++)
            await buffer.AppendAsync("inverter", Readings(start, chunk), CancellationToken.None);
        var backlog = await buffer.ReadAsync(0, ulong.MaxValue, 100_000, CancellationToken.None);
        var asOneBatch = new TelemetryBatch { SiteId = Site, Historical = true };
        foreach (var chunk in backlog) asOneBatch.Readings.AddRange(chunk.Readings);
        Assert.True(asOneBatch.CalculateSize() >= 1_080_000, $"the backlog is only {asOneBatch.CalculateSize()} bytes as one batch");

        var identity = AgentIdentity.ForSite(Site);
        var uplink = new UplinkOptions
        {
            MaxBatchReadings = 100_000,
            BackfillReadingsPerSecond = 1_000_000,
            Mqtt = new MqttUplinkOptions
            {
                Enabled = true, Host = broker.Host, Port = broker.Port, MaxMessageBytes = maxMessageBytes, ClientId = "agent-big",
                Tls = new MqttUplinkTlsOptions { Enabled = false },
            },
        };
        var topics = new Topics(uplink.Mqtt.TopicPrefix, Site);
        var clientOptions = MqttUplinkOptionsMapper.ToClientOptions(uplink.Mqtt, Site,
            new MqttWill(topics.Status, new SiteStatus { SiteId = Site, State = SiteStatus.Types.State.Offline }.ToByteArray(), MqttQualityOfService.AtLeastOnce, Retain: true));
        await using var agent = new MqttClient(clientOptions, agentLogger);
        await agent.StartAsync(CancellationToken.None);
        await agent.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Patience);
        Assert.Equal(brokerMaxPacket, (int?)agent.BrokerMaximumPacketSize);
        var pump = new UplinkPump(buffer, identity, uplink, TimeProvider.System, agentLogger);
        using var stop = new CancellationTokenSource();
        var session = pump.RunSessionAsync(new MqttBatchTransport(agent, topics, maxMessageBytes), stop.Token);

        var deadline = DateTime.UtcNow + Patience;
        while (pump.HistoricalReadingsSent < Chunks * ReadingsPerChunk)
        {
            Assert.False(session.IsCompleted, $"the uplink session ended: {session.Exception}\nAgent log:\n{agentLogs}");
            Assert.True(DateTime.UtcNow < deadline, $"{pump.HistoricalReadingsSent} readings delivered after {Patience}.\nAgent log:\n{agentLogs}");
            await Task.Delay(100);
        }
        Assert.Equal(0, buffer.GetStatistics().ReadingsBuffered);
        Assert.Equal(0, pump.ReadingsTooLarge);
        Assert.Equal(0, agent.PublishesRefusedTooLarge);

        IReadOnlyList<NormalizedSample> samples = [];
        while (samples.Count < Chunks * ReadingsPerChunk && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            samples = await collector.Store.GetSamplesAsync("pv-big", Measurement.ActivePowerW, start.AddMinutes(-1), start.AddHours(1), default);
        }
        Assert.True(samples.Count == Chunks * ReadingsPerChunk,
            $"{samples.Count} of {Chunks * ReadingsPerChunk} readings stored. Collector log:\n{collectorLogs}\nBroker log:\n{broker.Log}");
        Assert.Equal(backlog.SelectMany(c => c.Readings).Select(r => r.Sequence).Order(), samples.Select(s => s.Sequence).Order());

        // The messages on the wire: within every limit of the path, and the readings in sequence order across them.
        var seen = new List<TelemetryBatch>();
        var sizes = new List<int>();
        while (seen.Sum(b => b.Readings.Count) < Chunks * ReadingsPerChunk)
        {
            var message = await spy.Messages.ReadAsync().AsTask().WaitAsync(Patience);
            sizes.Add(spy.PublishPacketSize(message.Topic, message.Payload.Length, MqttQualityOfService.AtLeastOnce));
            seen.Add(TelemetryBatch.Parser.ParseFrom(message.Payload.Span));
        }
        Assert.InRange(seen.Count, 1, maxMessages);
        Assert.All(sizes, size => Assert.True(size <= Math.Min(maxMessageBytes, brokerMaxPacket ?? int.MaxValue), $"a {size}-byte message"));
        var sequences = seen.SelectMany(b => b.Readings).Select(r => r.Sequence).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.All(seen, b => Assert.Equal((b.Readings[0].Sequence, b.Readings[^1].Sequence), (b.FirstSequence, b.LastSequence)));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session);
    }

    private static List<Reading> Readings(DateTimeOffset start, int chunk)
    {
        var readings = new List<Reading>(ReadingsPerChunk);
        for (var i = 0; i < ReadingsPerChunk; i++)
        {
            var at = start.AddMilliseconds((chunk * ReadingsPerChunk + i) * 50);
            readings.Add(new Reading
            {
                ModelId = 103, Point = "W", Value = 1000 + i, Unit = "W", Quality = Quality.Good,
                SourceTimeUs = at.ToUnixTimeMilliseconds() * 1000,
            });
        }
        return readings;
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("nexwatt-big-").FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { }
        }
    }
}
