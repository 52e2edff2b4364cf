using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Protocol;
using Nexwatt.Bench.Harness;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Testing;
using MqttNetVersion = MQTTnet.Formatter.MqttProtocolVersion;
using MqttClient = Nexwatt.Protocols.Mqtt.MqttClient;
using MqttClientOptions = Nexwatt.Protocols.Mqtt.MqttClientOptions;

namespace Nexwatt.Bench.Mqtt;

/// <summary>
/// Receiving with acknowledgement after processing, the collector's way (PUBACK once a batch is stored): a subscriber
/// hands each QoS 1 message to <see cref="Workers"/> workers that finish in random order and acknowledge, while our
/// client publishes the messages. Measures received and acknowledged messages/s, then reads Mosquitto's debug log
/// for the subscriber's PUBLISH and PUBACK lines: MQTT-4.6.0-2 wants PUBACKs in the order the PUBLISH packets were
/// received, so a PUBACK for a message while an earlier one is still unacknowledged is counted as out of order.
/// </summary>
internal static partial class MqttAckOrderBenchmark
{
    private const int Workers = 8;
    private const string Topic = "bench/ack";

    public static async Task RunAsync(int count, CancellationToken cancellationToken)
    {
        var table = new TextTable("subscriber (ack after processing)", "msg/s (one publisher, debug log)", "PUBACKs", "out of order", "first out of order");
        foreach (var (name, clientId, receive) in new (string, string, Func<int, string, int, Task<Func<Task>>>)[]
        {
            ("Nexwatt MqttClient, ManualAcknowledgement", "bench-ack-ours", SubscribeOursAsync),
            ("MQTTnet 5.2, AutoAcknowledge = false", "bench-ack-mqttnet", SubscribeMqttNetAsync),
        })
        {
            Progress.Step($"mqtt: acknowledgement order, {count:N0} messages: {name}");
            await using var broker = await Mosquitto.StartAsync(new MosquittoOptions { ExtraConfiguration = ["log_type debug"] }, cancellationToken).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            var drained = await receive(broker.Port, clientId, count).ConfigureAwait(false);
            await PublishAsync(broker.Port, count, cancellationToken).ConfigureAwait(false);
            await drained().ConfigureAwait(false);
            var rate = count / clock.Elapsed.TotalSeconds;
            var (pubacks, outOfOrder, first) = CheckOrder(broker.Log, clientId);
            table.Add(name, $"{rate:N0}", $"{pubacks:N0}", $"{outOfOrder:N0}", first ?? "-");
        }
        Console.WriteLine();
        Console.WriteLine($"MQTT receive, acknowledged after processing by {Workers} workers finishing in random order, {count:N0} QoS 1 messages; order read from Mosquitto's log");
        Console.WriteLine(table);
    }

    private static async Task PublishAsync(int port, int count, CancellationToken cancellationToken)
    {
        await using var publisher = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = port, ClientId = "bench-ack-publisher", CleanStart = true, MaxInFlight = 100 });
        await publisher.StartAsync(cancellationToken).ConfigureAwait(false);
        await publisher.WaitUntilConnectedAsync(cancellationToken).ConfigureAwait(false);
        var payload = new byte[100];
        for (var i = 0; i < count; i++)
            await publisher.PublishAsync(Topic, payload, MqttQualityOfService.AtLeastOnce, cancellationToken: cancellationToken).ConfigureAwait(false);
        await publisher.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Workers that take an acknowledgement, "process" for a random moment and acknowledge; done after <paramref name="count"/>.</summary>
    private static (ChannelWriter<Func<Task>> Work, Task Done) StartWorkers(int count)
    {
        var work = Channel.CreateUnbounded<Func<Task>>();
        var remaining = count;
        var done = Task.WhenAll(Enumerable.Range(0, Workers).Select(seed => Task.Run(async () =>
        {
            var random = new Random(seed);
            await foreach (var acknowledge in work.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                // Processing time varies per message (a store's commit does), so they finish out of arrival order.
                for (var spin = random.Next(0, 20_000); spin > 0; spin--) Thread.SpinWait(1);
                await acknowledge().ConfigureAwait(false);
                if (Interlocked.Decrement(ref remaining) == 0) work.Writer.TryComplete();
            }
        })));
        return (work.Writer, done);
    }

    private static async Task<Func<Task>> SubscribeOursAsync(int port, string clientId, int count)
    {
        var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = port, ClientId = clientId, CleanStart = true, ManualAcknowledgement = true });
        await client.StartAsync(CancellationToken.None).ConfigureAwait(false);
        await client.WaitUntilConnectedAsync(CancellationToken.None).ConfigureAwait(false);
        await client.SubscribeAsync(Topic, MqttQualityOfService.AtLeastOnce, CancellationToken.None).ConfigureAwait(false);
        var (work, done) = StartWorkers(count);
        var pump = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                var message = await client.Messages.ReadAsync().ConfigureAwait(false);
                await work.WriteAsync(() => { message.Acknowledge(); return Task.CompletedTask; }).ConfigureAwait(false);
            }
        });
        return async () =>
        {
            await pump.ConfigureAwait(false);
            await done.ConfigureAwait(false);
            await Task.Delay(200).ConfigureAwait(false); // the last PUBACKs leave the socket
            await client.DisposeAsync().ConfigureAwait(false);
        };
    }

    private static async Task<Func<Task>> SubscribeMqttNetAsync(int port, string clientId, int count)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var (work, done) = StartWorkers(count);
        client.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = false;
            return work.WriteAsync(() => e.AcknowledgeAsync(CancellationToken.None)).AsTask();
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId)
            .WithProtocolVersion(MqttNetVersion.V311).WithCleanSession(true).Build()).ConfigureAwait(false);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Topic).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)).Build()).ConfigureAwait(false);
        return async () =>
        {
            await done.ConfigureAwait(false);
            await Task.Delay(200).ConfigureAwait(false);
            await client.DisconnectAsync().ConfigureAwait(false);
            client.Dispose();
        };
    }

    /// <summary>PUBACKs from the client, and how many of them acknowledged a message while an earlier-sent one was still open.</summary>
    internal static (int PubAcks, int OutOfOrder, string? First) CheckOrder(string log, string clientId)
    {
        var open = new List<int>(); // packet ids sent to the client and not yet acknowledged, in sending order
        int pubacks = 0, outOfOrder = 0;
        string? first = null;
        foreach (var line in log.Split('\n'))
        {
            if (SendingPublish().Match(line) is { Success: true } sent && sent.Groups["client"].Value == clientId)
                open.Add(int.Parse(sent.Groups["mid"].Value));
            else if (ReceivedPubAck().Match(line) is { Success: true } ack && ack.Groups["client"].Value == clientId)
            {
                pubacks++;
                var mid = int.Parse(ack.Groups["mid"].Value);
                var at = open.IndexOf(mid);
                if (at > 0)
                {
                    outOfOrder++;
                    first ??= $"PUBACK {mid} while {open[0]} was open";
                }
                if (at >= 0) open.RemoveAt(at);
            }
        }
        return (pubacks, outOfOrder, first);
    }

    [GeneratedRegex(@"Sending PUBLISH to (?<client>\S+) \(d\d, q1, r\d, m(?<mid>\d+),")]
    private static partial Regex SendingPublish();

    [GeneratedRegex(@"Received PUBACK from (?<client>\S+) \(Mid: (?<mid>\d+)")]
    private static partial Regex ReceivedPubAck();
}
