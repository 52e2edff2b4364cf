using Microsoft.Extensions.Logging;
using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt.Tests.Session;

/// <summary>
/// <see cref="MqttClientOptions.ManualAcknowledgement"/> over the in-memory broker: PUBACK only when the application
/// says so, in receive order (MQTT section 4.6), and never on a connection other than the one the message came on.
/// </summary>
public sealed class ManualAcknowledgementTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private static PublishPacket Qos1(ushort packetId, string payload = "x", bool duplicate = false) =>
        new("site/a/telemetry", System.Text.Encoding.ASCII.GetBytes(payload), MqttQualityOfService.AtLeastOnce, false, duplicate, packetId);

    private static async Task<MqttApplicationMessage> NextMessageAsync(SessionHarness h) =>
        await h.Client.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task No_puback_is_sent_until_the_application_acknowledges_and_a_second_acknowledge_sends_nothing(MqttProtocolVersion version)
    {
        await using var h = new SessionHarness(version, o => o.ManualAcknowledgement = true);
        var (broker, _) = await h.StartAndConnectAsync();

        await broker.SendAsync(Qos1(7, "seven"));
        var message = await NextMessageAsync(h);
        Assert.Equal("seven"u8.ToArray(), message.Payload.ToArray());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => broker.ReceiveAsync(Quiet));

        message.Acknowledge();
        Assert.Equal(new PubAckPacket(7), await broker.ReceiveAsync());
        message.Acknowledge();
        // The next packet after another message's acknowledgement is that PUBACK, so the repeat sent nothing.
        await broker.SendAsync(Qos1(8));
        (await NextMessageAsync(h)).Acknowledge();
        Assert.Equal(new PubAckPacket(8), await broker.ReceiveAsync());
        Assert.True(h.Client.IsConnected);
    }

    [Fact]
    public async Task Out_of_order_acknowledgements_leave_as_pubacks_in_receive_order()
    {
        await using var h = new SessionHarness(configure: o => o.ManualAcknowledgement = true);
        var (broker, _) = await h.StartAndConnectAsync();
        await broker.SendAsync(Qos1(11, "a"));
        await broker.SendAsync(new PublishPacket("site/a/telemetry", "q0"u8.ToArray(), MqttQualityOfService.AtMostOnce, false, false, 0));
        await broker.SendAsync(Qos1(12, "b"));
        await broker.SendAsync(Qos1(13, "c"));
        var a = await NextMessageAsync(h);
        var atMostOnce = await NextMessageAsync(h);
        var b = await NextMessageAsync(h);
        var c = await NextMessageAsync(h);

        c.Acknowledge();
        atMostOnce.Acknowledge(); // QoS 0: nothing to acknowledge
        b.Acknowledge();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => broker.ReceiveAsync(Quiet));

        a.Acknowledge();
        Assert.Equal(new PubAckPacket(11), await broker.ReceiveAsync());
        Assert.Equal(new PubAckPacket(12), await broker.ReceiveAsync());
        Assert.Equal(new PubAckPacket(13), await broker.ReceiveAsync());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => broker.ReceiveAsync(Quiet));
    }

    [Fact]
    public async Task Acknowledgements_after_a_reconnect_are_dropped_and_never_sent_with_a_stale_packet_id()
    {
        await using var h = new SessionHarness(configure: o => o.ManualAcknowledgement = true);
        var (broker, _) = await h.StartAndConnectAsync();
        await broker.SendAsync(Qos1(5, "five"));
        await broker.SendAsync(Qos1(6, "six"));
        var oldFive = await NextMessageAsync(h);
        var oldSix = await NextMessageAsync(h);
        oldSix.Acknowledge(); // held behind 5
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => broker.ReceiveAsync(Quiet));

        await broker.DisposeAsync();
        var (resumed, _) = await h.ReconnectAsync(SessionHarness.DelayMin / 2, new ConnAckPacket { SessionPresent = true });
        // The broker resends both on the resumed session with their original packet ids (section 4.4).
        await resumed.SendAsync(Qos1(5, "five", duplicate: true));
        await resumed.SendAsync(Qos1(6, "six", duplicate: true));
        var newFive = await NextMessageAsync(h);
        var newSix = await NextMessageAsync(h);

        // Acknowledging the old 5 would have released the held 6 as well, on the old connection only.
        oldFive.Acknowledge();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => resumed.ReceiveAsync(Quiet));
        Assert.True(h.Logger.Contains(LogLevel.Debug, "acknowledgement of packet id 5 dropped"), h.Logger.ToString());

        newSix.Acknowledge();
        newFive.Acknowledge();
        Assert.Equal(new PubAckPacket(5), await resumed.ReceiveAsync());
        Assert.Equal(new PubAckPacket(6), await resumed.ReceiveAsync());
        Assert.Equal("five"u8.ToArray(), newFive.Payload.ToArray());
        await resumed.SendAsync(Qos1(7));
        (await NextMessageAsync(h)).Acknowledge();
        Assert.Equal(new PubAckPacket(7), await resumed.ReceiveAsync());
    }

    [Fact]
    public async Task Keep_alive_goes_on_while_the_application_holds_a_message_unacknowledged()
    {
        await using var h = new SessionHarness(configure: o => o.ManualAcknowledgement = true);
        var (broker, _) = await h.StartAndConnectAsync();
        await broker.SendAsync(Qos1(1, "slow"));
        var slow = await NextMessageAsync(h);

        h.Time.Advance(SessionHarness.KeepAlive);
        await broker.ReceiveAsync<PingReqPacket>();
        await broker.SendAsync(PingRespPacket.Instance);
        // Packets are handled in order: once this message is out, the PINGRESP before it was read.
        await broker.SendAsync(Qos1(2, "after"));
        var after = await NextMessageAsync(h);
        after.Acknowledge(); // held behind the slow one

        h.Time.Advance(SessionHarness.KeepAlive * 0.5); // 1.5 x keep-alive since CONNACK; the PINGRESP came at 1 x
        Assert.True(h.Client.IsConnected);
        h.Time.Advance(SessionHarness.KeepAlive * 0.5);
        await broker.ReceiveAsync<PingReqPacket>();
        Assert.True(h.Client.IsConnected);

        slow.Acknowledge();
        Assert.Equal(new PubAckPacket(1), await broker.ReceiveAsync());
        Assert.Equal(new PubAckPacket(2), await broker.ReceiveAsync());
    }

    [Fact]
    public async Task In_automatic_mode_acknowledge_is_a_no_op()
    {
        await using var h = new SessionHarness();
        var (broker, _) = await h.StartAndConnectAsync();
        await broker.SendAsync(Qos1(7));
        Assert.Equal(new PubAckPacket(7), await broker.ReceiveAsync());
        (await NextMessageAsync(h)).Acknowledge();
        await broker.SendAsync(Qos1(8));
        Assert.Equal(new PubAckPacket(8), await broker.ReceiveAsync());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V500, 16, (ushort)16)]
    [InlineData(MqttProtocolVersion.V500, 100_000, ushort.MaxValue)]
    [InlineData(MqttProtocolVersion.V311, 16, null)]
    public async Task Connect_announces_the_inbound_capacity_as_receive_maximum(MqttProtocolVersion version, int capacity, ushort? announced)
    {
        await using var h = new SessionHarness(version, o => { o.IncomingMessageCapacity = capacity; o.ManualAcknowledgement = true; });
        var (_, connect) = await h.StartAndConnectAsync();
        Assert.Equal(announced, connect.ReceiveMaximum);
    }
}
