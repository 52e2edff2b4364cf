using System.Text;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Mqtt.Tests.Integration;

/// <summary>
/// <see cref="MqttClientOptions.ManualAcknowledgement"/> against a real Mosquitto 2.0: what the application has not
/// acknowledged survives a dropped connection in the broker's session, and what it acknowledged does not come back.
/// </summary>
public sealed class MosquittoManualAcknowledgementTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static async Task<string> NextPayloadAsync(MqttClient client, List<MqttApplicationMessage>? keep = null)
    {
        var message = await client.Messages.ReadAsync().AsTask().WaitAsync(Timeout);
        keep?.Add(message);
        return Encoding.UTF8.GetString(message.Payload.Span);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task An_unacknowledged_message_is_redelivered_after_an_abrupt_disconnect_and_an_acknowledged_one_is_not(MqttProtocolVersion version)
    {
        await using var broker = await Mosquitto.StartAsync();
        var clientId = "nx-manual-" + Guid.NewGuid().ToString("N")[..8];
        var logger = new ListLogger();
        void Manual(MqttClientOptions o) { o.ClientId = clientId; o.CleanStart = false; o.ManualAcknowledgement = true; }

        await using (var client = MosquittoClientTests.NewClient(broker.Port, version, logger, Manual))
        {
            await client.StartAsync(CancellationToken.None);
            await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
            await client.SubscribeAsync("nx/manual/#", MqttQualityOfService.AtLeastOnce, CancellationToken.None).WaitAsync(Timeout);
            await Peers.MosquittoPubAsync(broker, "nx/manual/m", "one", version);
            var received = new List<MqttApplicationMessage>();
            Assert.Equal("one", await NextPayloadAsync(client, received));

            // A crash: the socket closes without DISCONNECT and without the PUBACK. The client comes back by itself.
            client.AbortConnection("simulated crash before the message was handled");
            Assert.Equal("one", await NextPayloadAsync(client, received));

            // The first copy's acknowledgement belongs to the dead connection. Had it gone out on the new one, it would
            // have acknowledged the redelivered copy (same packet id). A QoS 1 round trip on the new connection puts
            // anything queued before it at the broker.
            received[0].Acknowledge();
            await client.PublishAsync("nx/sync", "s"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask().WaitAsync(Timeout);
            client.AbortConnection("simulated crash again");
            Assert.Equal("one", await NextPayloadAsync(client, received));

            // Handled now: the PUBACK is queued before StopAsync's DISCONNECT, so it reaches the broker first.
            received[2].Acknowledge();
            await client.StopAsync(CancellationToken.None).WaitAsync(Timeout);
        }

        await using var restarted = MosquittoClientTests.NewClient(broker.Port, version, logger, Manual);
        var sessionPresent = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        restarted.ConnectionChanged += (_, e) => { if (e.IsConnected) sessionPresent.TrySetResult(e.SessionPresent); };
        await restarted.StartAsync(CancellationToken.None);
        Assert.True(await sessionPresent.Task.WaitAsync(Timeout));
        await Peers.MosquittoPubAsync(broker, "nx/manual/m", "two", version);
        // A redelivered "one" would come before "two": the broker resends its session's unacknowledged messages first.
        Assert.Equal("two", await NextPayloadAsync(restarted));
    }

    [Fact]
    public async Task Mosquitto_sends_no_more_unacknowledged_messages_than_the_announced_receive_maximum()
    {
        await using var broker = await Mosquitto.StartAsync();
        var logger = new ListLogger();
        await using var client = MosquittoClientTests.NewClient(broker.Port, MqttProtocolVersion.V500, logger, o =>
        {
            o.ManualAcknowledgement = true;
            o.IncomingMessageCapacity = 2;
        });
        await client.StartAsync(CancellationToken.None);
        await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
        await client.SubscribeAsync("nx/flow/#", MqttQualityOfService.AtLeastOnce, CancellationToken.None).WaitAsync(Timeout);
        for (var i = 1; i <= 3; i++) await Peers.MosquittoPubAsync(broker, "nx/flow/m", $"m{i}", MqttProtocolVersion.V500);

        var received = new List<MqttApplicationMessage>();
        Assert.Equal("m1", await NextPayloadAsync(client, received));
        Assert.Equal("m2", await NextPayloadAsync(client, received));
        // All three are at the broker (mosquitto_pub got its PUBACKs); the third waits for a free slot.
        using (var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Messages.ReadAsync(quiet.Token).AsTask());

        received[0].Acknowledge();
        Assert.Equal("m3", await NextPayloadAsync(client, received));
        received[1].Acknowledge();
        received[2].Acknowledge();
    }
}
