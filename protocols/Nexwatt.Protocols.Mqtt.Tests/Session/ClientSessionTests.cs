using Microsoft.Extensions.Logging;
using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt.Tests.Session;

/// <summary>Session logic over an in-memory duplex stream, driven by a fake clock: no network, no sleeps on the clock.</summary>
public sealed class ClientSessionTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Connects_with_will_and_a_persistent_session(MqttProtocolVersion version)
    {
        await using var h = new SessionHarness(version, o => { o.Username = "edge"; o.Password = "secret"; });
        var (_, connect) = await h.StartAndConnectAsync(new ConnAckPacket { SessionPresent = true });

        Assert.Equal(version, connect.ProtocolVersion);
        Assert.Equal("edge-1", connect.ClientId);
        Assert.False(connect.CleanStart);
        Assert.Equal(20, connect.KeepAliveSeconds);
        Assert.Equal("edge", connect.Username);
        Assert.Equal("secret"u8.ToArray(), connect.Password!.Value.ToArray());
        Assert.Equal("edge/edge-1/status", connect.Will!.Topic);
        Assert.Equal("offline"u8.ToArray(), connect.Will.Payload.ToArray());
        Assert.True(connect.Will.Retain);
        Assert.Equal(version == MqttProtocolVersion.V500 ? 7u * 24 * 3600 : 0u, connect.SessionExpirySeconds);
        Assert.Equal(version == MqttProtocolVersion.V500 ? 1024u * 1024 : null, connect.MaximumPacketSize);
        Assert.True(h.Client.IsConnected);
        var connected = Assert.Single(h.Events);
        Assert.True(connected.IsConnected);
        Assert.True(connected.SessionPresent);
    }

    [Fact]
    public async Task Keep_alive_pings_when_idle_and_a_pingresp_keeps_the_connection()
    {
        await using var h = new SessionHarness();
        var (broker, _) = await h.StartAndConnectAsync();

        h.Time.Advance(SessionHarness.KeepAlive);
        await broker.ReceiveAsync<PingReqPacket>();
        await broker.SendAsync(PingRespPacket.Instance);
        await ProveReadLoopCaughtUpAsync(h, broker);

        h.Time.Advance(SessionHarness.KeepAlive * 0.5); // 1.5 x keep-alive since CONNACK, but the PINGRESP came at 1 x
        Assert.True(h.Client.IsConnected);
        h.Time.Advance(SessionHarness.KeepAlive * 0.5);
        await broker.ReceiveAsync<PingReqPacket>();
        Assert.True(h.Client.IsConnected);
    }

    [Fact]
    public async Task Silence_for_one_and_a_half_keep_alives_kills_the_connection_and_it_reconnects()
    {
        await using var h = new SessionHarness();
        var (broker, _) = await h.StartAndConnectAsync();

        h.Time.Advance(SessionHarness.KeepAlive);
        await broker.ReceiveAsync<PingReqPacket>();
        h.Time.Advance(SessionHarness.KeepAlive * 0.5 - TimeSpan.FromMilliseconds(1));
        Assert.True(h.Client.IsConnected);
        h.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await broker.WaitForCloseAsync());
        Assert.False(h.Client.IsConnected);
        Assert.True(h.Logger.Contains(LogLevel.Warning, "no packet from the broker"), h.Logger.ToString());
        await h.ReconnectAsync(SessionHarness.DelayMin / 2);
        Assert.True(h.Client.IsConnected);
        Assert.Equal([true, false, true], h.Events.Select(e => e.IsConnected));
        Assert.Contains("No packet from the MQTT broker", h.Events[1].Reason);
    }

    [Fact]
    public async Task Reconnect_backoff_doubles_from_min_and_stops_at_max()
    {
        await using var h = new SessionHarness();
        h.Transport.FailNext = 5;
        await h.Client.StartAsync(CancellationToken.None);
        Assert.Equal(1, await h.Transport.NextAttemptAsync());

        // Steps 1, 2, 4, 8, 8 s (max 8 s), jitter 0 → delays 0.5, 1, 2, 4, 4 s.
        var expected = new[] { 0.5, 1, 2, 4, 4 };
        for (var i = 0; i < expected.Length; i++)
        {
            var delay = TimeSpan.FromSeconds(expected[i]);
            await h.Time.WaitForTimerAsync(d => d == delay);
            h.Time.Advance(delay - TimeSpan.FromMilliseconds(1));
            Assert.Equal(i + 1, h.Transport.Attempts);
            h.Time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(i + 2, await h.Transport.NextAttemptAsync());
        }
        await h.AcceptAsync();
        Assert.True(h.Client.IsConnected);
        Assert.Null(h.Client.LastConnectError);
    }

    [Fact]
    public void Backoff_jitter_stays_within_half_and_full_step()
    {
        var random = new Random(42);
        for (var attempt = 1; attempt < 12; attempt++)
        {
            var step = Math.Min(60, Math.Pow(2, attempt - 1));
            for (var i = 0; i < 50; i++)
            {
                var delay = ReconnectBackoff.Delay(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), random).TotalSeconds;
                Assert.InRange(delay, step / 2, step);
            }
        }
    }

    [Fact]
    public async Task A_broker_that_never_answers_connect_times_out_and_is_retried()
    {
        await using var h = new SessionHarness();
        await h.Client.StartAsync(CancellationToken.None);
        var silent = await h.Transport.AcceptAsync();
        await silent.ReceiveAsync<ConnectPacket>();
        await h.Time.WaitForTimerAsync(d => d == SessionHarness.ConnectTimeout);
        h.Time.Advance(SessionHarness.ConnectTimeout);
        Assert.True(await silent.WaitForCloseAsync());
        await h.Time.WaitForTimerAsync(d => d == SessionHarness.DelayMin / 2);
        Assert.IsType<TimeoutException>(h.Client.LastConnectError);
        h.Time.Advance(SessionHarness.DelayMin / 2);
        await h.AcceptAsync();
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, 4)]
    [InlineData(MqttProtocolVersion.V500, 0x86)]
    [InlineData(MqttProtocolVersion.V500, 0x87)]
    public async Task Bad_credentials_surface_as_a_non_transient_refusal(MqttProtocolVersion version, byte code)
    {
        await using var h = new SessionHarness(version);
        await h.Client.StartAsync(CancellationToken.None);
        var broker = await h.Transport.AcceptAsync();
        var waiting = h.Client.WaitUntilConnectedAsync(CancellationToken.None);
        await broker.AcceptConnectAsync(new ConnAckPacket { ReasonCode = code });
        var refused = await Assert.ThrowsAsync<MqttConnectRefusedException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(code, refused.ReasonCode);
        Assert.False(refused.IsTransient);
        Assert.False(h.Client.IsConnected);
        Assert.True(h.Logger.Contains(LogLevel.Error, "refused"), h.Logger.ToString());
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Qos1_publish_completes_on_its_puback(MqttProtocolVersion version)
    {
        await using var h = new SessionHarness(version);
        var (broker, _) = await h.StartAndConnectAsync();

        var publish = h.Client.PublishAsync("edge/m", "42"u8.ToArray(), MqttQualityOfService.AtLeastOnce, retain: true).AsTask();
        var sent = await broker.ReceiveAsync<PublishPacket>();
        Assert.Equal(new PublishPacket("edge/m", "42"u8.ToArray(), MqttQualityOfService.AtLeastOnce, true, false, 1), sent);
        await Task.Delay(50);
        Assert.False(publish.IsCompleted);
        await broker.SendAsync(new PubAckPacket(sent.PacketId));
        await publish.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, h.Client.InFlightCount);

        await h.Client.PublishAsync("edge/q0", "x"u8.ToArray(), MqttQualityOfService.AtMostOnce).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new PublishPacket("edge/q0", "x"u8.ToArray(), MqttQualityOfService.AtMostOnce, false, false, 0), await broker.ReceiveAsync());
    }

    [Fact]
    public async Task A_v5_puback_reason_code_of_0x80_or_more_rejects_the_publish()
    {
        await using var h = new SessionHarness();
        var (broker, _) = await h.StartAndConnectAsync();
        var publish = h.Client.PublishAsync("edge/m", "1"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask();
        var sent = await broker.ReceiveAsync<PublishPacket>();
        await broker.SendAsync(new PubAckPacket(sent.PacketId, 0x87, "not yours"));
        var rejected = await Assert.ThrowsAsync<MqttPublishRejectedException>(() => publish.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0x87, rejected.ReasonCode);
        Assert.False(rejected.IsTransient);
        Assert.Contains("not yours", rejected.Message);

        // 0x10 "no matching subscribers" is a success.
        var second = h.Client.PublishAsync("edge/m", "2"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask();
        await broker.SendAsync(new PubAckPacket((await broker.ReceiveAsync<PublishPacket>()).PacketId, 0x10));
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(h.Client.IsConnected);
    }

    [Fact]
    public async Task The_in_flight_window_bounds_unacknowledged_publishes_and_ids_are_not_reused_while_in_flight()
    {
        await using var h = new SessionHarness(configure: o => o.MaxInFlight = 2);
        var (broker, _) = await h.StartAndConnectAsync();

        var publishes = Enumerable.Range(0, 3).Select(i => h.Client.PublishAsync("edge/m", new[] { (byte)i }, MqttQualityOfService.AtLeastOnce).AsTask()).ToList();
        var first = await broker.ReceiveAsync<PublishPacket>();
        var second = await broker.ReceiveAsync<PublishPacket>();
        Assert.Equal([1, 2], new[] { first.PacketId, second.PacketId }.Select(i => (int)i));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => broker.ReceiveAsync(Quiet));
        Assert.Equal(2, h.Client.InFlightCount);

        await broker.SendAsync(new PubAckPacket(second.PacketId));
        var third = await broker.ReceiveAsync<PublishPacket>();
        Assert.Equal(3, third.PacketId); // 1 is still in flight; ids keep rising
        await publishes[1].WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(publishes[0].IsCompleted);
        await broker.SendAsync(new PubAckPacket(first.PacketId));
        await broker.SendAsync(new PubAckPacket(third.PacketId));
        await Task.WhenAll(publishes).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_brokers_receive_maximum_lowers_the_window()
    {
        await using var h = new SessionHarness();
        var (broker, _) = await h.StartAndConnectAsync(new ConnAckPacket { ReceiveMaximum = 1 });
        var a = h.Client.PublishAsync("edge/m", "a"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask();
        var b = h.Client.PublishAsync("edge/m", "b"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask();
        var first = await broker.ReceiveAsync<PublishPacket>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => broker.ReceiveAsync(Quiet));
        await broker.SendAsync(new PubAckPacket(first.PacketId));
        await broker.SendAsync(new PubAckPacket((await broker.ReceiveAsync<PublishPacket>()).PacketId));
        await Task.WhenAll(a, b).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_lost_connection_fails_unacknowledged_publishes_and_new_ones_are_refused_until_reconnected()
    {
        await using var h = new SessionHarness();
        var (broker, _) = await h.StartAndConnectAsync();
        var publish = h.Client.PublishAsync("edge/m", "1"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask();
        await broker.ReceiveAsync<PublishPacket>();
        await broker.DisposeAsync();

        var lost = await Assert.ThrowsAsync<MqttConnectionLostException>(() => publish.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(lost.IsTransient);
        await h.Time.WaitForTimerAsync(d => d == SessionHarness.DelayMin / 2);
        Assert.False(h.Client.IsConnected);
        var notConnected = await Assert.ThrowsAsync<MqttNotConnectedException>(() => h.Client.PublishAsync("edge/m", "2"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask());
        Assert.True(notConnected.IsTransient);
        Assert.Equal(0, h.Client.InFlightCount);

        h.Time.Advance(SessionHarness.DelayMin / 2);
        var (again, _) = await h.AcceptAsync();
        var retry = h.Client.PublishAsync("edge/m", "1"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask();
        await again.SendAsync(new PubAckPacket((await again.ReceiveAsync<PublishPacket>()).PacketId));
        await retry.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Subscriptions_are_resent_on_every_connection_even_when_the_session_is_present()
    {
        await using var h = new SessionHarness();
        var (broker, _) = await h.StartAndConnectAsync();
        var subscribe = h.Client.SubscribeAsync("edge/edge-1/cmd/#", MqttQualityOfService.AtLeastOnce, CancellationToken.None);
        var sent = await broker.ReceiveAsync<SubscribePacket>();
        Assert.Equal([new MqttSubscription("edge/edge-1/cmd/#", MqttQualityOfService.AtLeastOnce)], sent.Subscriptions);
        await broker.SendAsync(new SubAckPacket(sent.PacketId, [1]));
        await subscribe.WaitAsync(TimeSpan.FromSeconds(10));

        await broker.DisposeAsync();
        var (fresh, _) = await ReconnectWithResubscribeAsync(h, sessionPresent: false);
        await fresh.DisposeAsync();
        // A broker may restore a session without its subscriptions (Mosquitto 2.0 and shared subscriptions).
        var (kept, _) = await ReconnectWithResubscribeAsync(h, sessionPresent: true);
        await h.Client.PublishAsync("edge/m", "x"u8.ToArray(), MqttQualityOfService.AtMostOnce);
        Assert.IsType<PublishPacket>(await kept.ReceiveAsync());
    }

    private static async Task<(BrokerSide, ConnectPacket)> ReconnectWithResubscribeAsync(SessionHarness h, bool sessionPresent)
    {
        await h.Time.WaitForTimerAsync(d => d == SessionHarness.DelayMin / 2);
        h.Time.Advance(SessionHarness.DelayMin / 2);
        var broker = await h.Transport.AcceptAsync();
        var connect = await broker.AcceptConnectAsync(new ConnAckPacket { SessionPresent = sessionPresent });
        var again = await broker.ReceiveAsync<SubscribePacket>();
        Assert.Equal("edge/edge-1/cmd/#", again.Subscriptions.Single().TopicFilter);
        await broker.SendAsync(new SubAckPacket(again.PacketId, [1]));
        await h.Client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        return (broker, connect);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, 0x80)]
    [InlineData(MqttProtocolVersion.V500, 0x87)]
    public async Task A_refused_subscription_throws(MqttProtocolVersion version, byte code)
    {
        await using var h = new SessionHarness(version);
        var (broker, _) = await h.StartAndConnectAsync();
        var subscribe = h.Client.SubscribeAsync("secret/#", MqttQualityOfService.AtLeastOnce, CancellationToken.None);
        var sent = await broker.ReceiveAsync<SubscribePacket>();
        await broker.SendAsync(new SubAckPacket(sent.PacketId, [code]));
        var refused = await Assert.ThrowsAsync<MqttSubscribeRejectedException>(() => subscribe.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(code, refused.ReasonCode);
        Assert.Equal("secret/#", refused.TopicFilter);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Incoming_qos1_messages_are_acknowledged_once_in_the_channel(MqttProtocolVersion version)
    {
        await using var h = new SessionHarness(version, o => o.IncomingMessageCapacity = 1);
        var (broker, _) = await h.StartAndConnectAsync();
        await broker.SendAsync(new PublishPacket("edge/edge-1/cmd/a", "1"u8.ToArray(), MqttQualityOfService.AtLeastOnce, false, false, 7));
        await broker.SendAsync(new PublishPacket("edge/edge-1/cmd/b", "2"u8.ToArray(), MqttQualityOfService.AtLeastOnce, true, false, 8));
        Assert.Equal(new PubAckPacket(7), await broker.ReceiveAsync());
        // The channel holds one message: the second waits, unacknowledged, until the application reads.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => broker.ReceiveAsync(Quiet));

        var first = await h.Client.Messages.ReadAsync();
        Assert.Equal(("edge/edge-1/cmd/a", "1"), (first.Topic, System.Text.Encoding.ASCII.GetString(first.Payload.Span)));
        Assert.Equal(new PubAckPacket(8), await broker.ReceiveAsync());
        var second = await h.Client.Messages.ReadAsync();
        Assert.True(second.Retain);
        Assert.Equal(MqttQualityOfService.AtLeastOnce, second.QualityOfService);

        await broker.SendAsync(new PublishPacket("edge/edge-1/cmd/c", "3"u8.ToArray(), MqttQualityOfService.AtMostOnce, false, false, 0));
        Assert.Equal("edge/edge-1/cmd/c", (await h.Client.Messages.ReadAsync()).Topic);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311, "30 FF FF FF FF 01", "variable byte integer")]
    [InlineData(MqttProtocolVersion.V311, "F0 00", "unknown control packet type")]
    [InlineData(MqttProtocolVersion.V311, "00 00", "reserved")]
    [InlineData(MqttProtocolVersion.V311, "36 05 00 01 61 00 01", "QoS 3")]
    [InlineData(MqttProtocolVersion.V311, "20 02 00 00", "Unexpected ConnAck")]
    [InlineData(MqttProtocolVersion.V311, "90 03 00 09 05", "does not define")]
    [InlineData(MqttProtocolVersion.V311, "32 07 00 03 61 2F 62 00 00", "packet identifier 0")]
    [InlineData(MqttProtocolVersion.V311, "30 05 00 02 C3 28 00", "UTF-8")]
    [InlineData(MqttProtocolVersion.V311, "62 02 00 01", "QoS 2")]
    [InlineData(MqttProtocolVersion.V500, "32 0B 00 01 61 00 01 03 23 00 01 68 69", "Topic Alias")]
    [InlineData(MqttProtocolVersion.V500, "32 09 00 01 61 00 01 03 63 00 00", "unknown property identifier")]
    [InlineData(MqttProtocolVersion.V500, "32 08 00 01 61 00 01 09 01 00", "declares 9 bytes of properties")]
    [InlineData(MqttProtocolVersion.V500, "40 0B 00 01 00 07 1F 00 01 61 1F 00 01", "more than once")]
    [InlineData(MqttProtocolVersion.V500, "40 07 00 01 00 03 21 00 05", "not allowed")]
    [InlineData(MqttProtocolVersion.V500, "F0 00", "AUTH")]
    public async Task Malformed_packets_from_the_broker_close_the_connection_with_a_clear_log_line(MqttProtocolVersion version, string hex, string logged)
    {
        await using var h = new SessionHarness(version);
        var (broker, _) = await h.StartAndConnectAsync();
        await broker.SendRawAsync(Hex.Bytes(hex));
        Assert.True(await broker.WaitForCloseAsync());
        Assert.True(h.Logger.Contains(LogLevel.Error, logged), h.Logger.ToString());
        await h.ReconnectAsync(SessionHarness.DelayMin / 2);
    }

    [Fact]
    public async Task An_oversized_packet_is_refused_from_its_header_without_waiting_for_the_body()
    {
        await using var h = new SessionHarness(configure: o => o.MaxIncomingPacketSize = 1024);
        var (broker, _) = await h.StartAndConnectAsync();
        await broker.SendRawAsync(Hex.Bytes("30 80 80 80 01")); // a 2 MiB PUBLISH is announced; no body follows
        Assert.True(await broker.WaitForCloseAsync());
        Assert.True(h.Logger.Contains(LogLevel.Error, "exceeds the maximum packet size of 1024"), h.Logger.ToString());
        Assert.Equal(1, h.Client.IncomingPacketsTooLarge);
    }

    [Fact]
    public async Task A_publish_over_the_brokers_maximum_packet_size_is_refused_before_sending_counted_and_logged()
    {
        await using var h = new SessionHarness();
        await h.StartAndConnectAsync(new ConnAckPacket { MaximumPacketSize = 200 });
        Assert.Equal(200, h.Client.BrokerMaximumPacketSize);
        var fits = 200 - h.Client.PublishPacketSize("t/x", 0, MqttQualityOfService.AtLeastOnce);
        while (h.Client.PublishPacketSize("t/x", fits, MqttQualityOfService.AtLeastOnce) > 200) fits--; // a longer remaining-length field

        var refused = await Assert.ThrowsAsync<MqttPublishRejectedException>(() => h.Client.PublishAsync("t/x", new byte[fits + 1], MqttQualityOfService.AtLeastOnce).AsTask());

        Assert.Equal(0x95, refused.ReasonCode);
        Assert.Equal(1, h.Client.PublishesRefusedTooLarge);
        Assert.True(h.Logger.Contains(LogLevel.Error, "over the broker's Maximum Packet Size of 200 bytes"), h.Logger.ToString());
        Assert.Equal(200, h.Client.PublishPacketSize("t/x", fits, MqttQualityOfService.AtLeastOnce));
    }

    [Fact]
    public async Task A_server_disconnect_is_logged_with_its_reason_and_the_client_reconnects()
    {
        await using var h = new SessionHarness();
        var (broker, _) = await h.StartAndConnectAsync();
        await broker.SendAsync(new DisconnectPacket(0x8B, "maintenance"));
        Assert.True(await broker.WaitForCloseAsync());
        await h.ReconnectAsync(SessionHarness.DelayMin / 2);
        Assert.Contains("server shutting down", h.Events[1].Reason);
        Assert.Contains("maintenance", h.Events[1].Reason);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Stop_sends_disconnect_and_does_not_reconnect(MqttProtocolVersion version)
    {
        await using var h = new SessionHarness(version);
        var (broker, _) = await h.StartAndConnectAsync();
        await h.Client.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new DisconnectPacket(), await broker.ReceiveAsync());
        Assert.True(await broker.WaitForCloseAsync());
        Assert.False(h.Client.IsConnected);
        Assert.Equal([true, false], h.Events.Select(e => e.IsConnected));
        await Assert.ThrowsAsync<MqttNotConnectedException>(() => h.Client.WaitUntilConnectedAsync(CancellationToken.None));
        Assert.False(h.Transport.HasPendingAttempt && h.Transport.Attempts > 1);
        Assert.Equal(1, h.Transport.Attempts);
    }

    [Fact]
    public async Task Caller_cancellation_of_a_publish_is_an_OperationCanceledException_and_the_slot_comes_back_on_puback()
    {
        await using var h = new SessionHarness(configure: o => o.MaxInFlight = 1);
        var (broker, _) = await h.StartAndConnectAsync();
        using var cts = new CancellationTokenSource();
        var publish = h.Client.PublishAsync("edge/m", "1"u8.ToArray(), MqttQualityOfService.AtLeastOnce, cancellationToken: cts.Token).AsTask();
        var sent = await broker.ReceiveAsync<PublishPacket>();
        var waiting = h.Client.PublishAsync("edge/m", "2"u8.ToArray(), MqttQualityOfService.AtLeastOnce, cancellationToken: cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publish);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await broker.SendAsync(new PubAckPacket(sent.PacketId));
        var next = h.Client.PublishAsync("edge/m", "3"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask();
        var third = await broker.ReceiveAsync<PublishPacket>();
        Assert.Equal("3"u8.ToArray(), third.Payload.ToArray());
        await broker.SendAsync(new PubAckPacket(third.PacketId));
        await next.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>The read loop handles packets in order: once a PUBLISH sent after X is acknowledged, X was processed.</summary>
    private static async Task ProveReadLoopCaughtUpAsync(SessionHarness h, BrokerSide broker)
    {
        await broker.SendAsync(new PublishPacket("sync", Array.Empty<byte>(), MqttQualityOfService.AtLeastOnce, false, false, 999));
        Assert.Equal(new PubAckPacket(999), await broker.ReceiveAsync());
        await h.Client.Messages.ReadAsync();
    }
}
