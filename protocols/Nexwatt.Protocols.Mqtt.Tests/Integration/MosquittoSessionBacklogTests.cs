using System.Text;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Mqtt.Tests.Integration;

/// <summary>
/// A client that resumes a session holding more queued messages than <see cref="MqttClientOptions.IncomingMessageCapacity"/>,
/// as a collector restarting after a long outage does: the application reads <see cref="MqttClient.Messages"/> only
/// once <see cref="MqttClient.WaitUntilConnectedAsync"/> returns, while the broker sends the backlog before the SUBACK
/// of the re-subscription.
/// </summary>
public sealed class MosquittoSessionBacklogTests
{
    private const int Backlog = 5_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task A_session_resumed_with_a_backlog_larger_than_the_message_capacity_connects_and_delivers_it_all(MqttProtocolVersion version)
    {
        // Mosquitto queues at most 1,000 messages per offline client unless told otherwise, and sends only 20 unacknowledged
        // at a time unless told otherwise (brokers tuned for throughput are: then the whole backlog comes at once).
        await using var broker = await Mosquitto.StartAsync(new MosquittoOptions { ExtraConfiguration = [$"max_queued_messages {Backlog * 2}", "max_inflight_messages 0"] });
        var logger = new ListLogger();
        var clientId = "nx-backlog-" + Guid.NewGuid().ToString("N")[..8];
        void Persistent(MqttClientOptions o) { o.ClientId = clientId; o.CleanStart = false; }

        await using (var first = MosquittoClientTests.NewClient(broker.Port, version, logger, Persistent))
        {
            await first.SubscribeAsync("nx/backlog/#", MqttQualityOfService.AtLeastOnce, CancellationToken.None);
            await first.StartAsync(CancellationToken.None);
            await first.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
            await first.StopAsync(CancellationToken.None).WaitAsync(Timeout);
        }

        await using (var publisher = MosquittoClientTests.NewClient(broker.Port, version, logger))
        {
            await publisher.StartAsync(CancellationToken.None);
            await publisher.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
            await Task.WhenAll(Enumerable.Range(0, Backlog).Select(i =>
                publisher.PublishAsync("nx/backlog/m", Encoding.UTF8.GetBytes($"m{i}"), MqttQualityOfService.AtLeastOnce).AsTask())).WaitAsync(Timeout);
            await publisher.StopAsync(CancellationToken.None).WaitAsync(Timeout);
        }

        // The collector's order: subscribe, start, wait until connected, then read.
        await using var resumed = MosquittoClientTests.NewClient(broker.Port, version, logger, Persistent);
        await resumed.SubscribeAsync("nx/backlog/#", MqttQualityOfService.AtLeastOnce, CancellationToken.None);
        await resumed.StartAsync(CancellationToken.None);
        await resumed.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
        var received = new HashSet<string>();
        while (received.Count < Backlog)
        {
            var message = await resumed.Messages.ReadAsync().AsTask().WaitAsync(Timeout);
            received.Add(Encoding.UTF8.GetString(message.Payload.Span));
        }
        Assert.Equal(Enumerable.Range(0, Backlog).Select(i => $"m{i}").ToHashSet(), received);
    }
}
