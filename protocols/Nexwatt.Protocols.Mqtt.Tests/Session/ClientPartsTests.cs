using Nexwatt.Protocols.Mqtt.Client;
using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt.Tests.Session;

public sealed class ClientPartsTests
{
    [Fact]
    public void Packet_ids_run_1_to_65535_wrap_and_skip_ids_still_in_flight()
    {
        var dispatcher = new MqttPacketDispatcher();
        var held = new PendingAck("held", MqttPacketType.PubAck, false);
        Assert.True(dispatcher.TryRegister(held, out _));
        Assert.Equal(1, held.PacketId);
        for (var i = 2; i <= 65535; i++)
        {
            var p = new PendingAck("x", MqttPacketType.PubAck, false);
            Assert.True(dispatcher.TryRegister(p, out _));
            Assert.Equal(i, p.PacketId);
            Assert.Same(p, dispatcher.TryTake(p.PacketId));
        }
        var next = new PendingAck("next", MqttPacketType.PubAck, false);
        Assert.True(dispatcher.TryRegister(next, out _));
        Assert.Equal(2, next.PacketId); // wrapped past 65535, skipped 0 and the held 1
    }

    [Fact]
    public void A_full_id_space_is_an_error_not_a_reuse()
    {
        var dispatcher = new MqttPacketDispatcher();
        for (var i = 1; i <= 65535; i++) Assert.True(dispatcher.TryRegister(new PendingAck("x", MqttPacketType.PubAck, false), out _));
        Assert.Throws<InvalidOperationException>(() => dispatcher.TryRegister(new PendingAck("x", MqttPacketType.PubAck, false), out _));
    }

    [Fact]
    public async Task A_closed_dispatcher_fails_everything_pending_and_refuses_new_packets()
    {
        var dispatcher = new MqttPacketDispatcher();
        var pending = new PendingAck("x", MqttPacketType.PubAck, false);
        dispatcher.TryRegister(pending, out _);
        var reason = new MqttConnectionLostException("gone");
        foreach (var p in dispatcher.Close(reason)) p.Fail(reason);
        await Assert.ThrowsAsync<MqttConnectionLostException>(() => pending.Task);
        Assert.False(dispatcher.TryRegister(new PendingAck("y", MqttPacketType.PubAck, false), out var why));
        Assert.Same(reason, why);
    }

    [Fact]
    public async Task The_window_serves_waiters_in_order_and_a_cancelled_waiter_leaks_no_slot()
    {
        var window = new InFlightWindow(1);
        await window.WaitAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var cancelled = window.WaitAsync(cts.Token).AsTask();
        var next = window.WaitAsync(CancellationToken.None).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(next.IsCompleted);
        window.Release();
        await next.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, window.InUse);
        window.Release();
        Assert.Equal(0, window.InUse);
    }

    [Fact]
    public void Validate_lists_every_problem()
    {
        var options = new MqttClientOptions
        {
            Host = "",
            Port = 0,
            ClientId = "",
            KeepAlive = TimeSpan.FromMilliseconds(1500),
            MaxInFlight = 0,
            ReconnectDelayMin = TimeSpan.FromSeconds(10),
            ReconnectDelayMax = TimeSpan.FromSeconds(1),
            ProtocolVersion = MqttProtocolVersion.V311,
            Password = "p",
            Will = new MqttWill("a/#", default, MqttQualityOfService.AtMostOnce, false),
        };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        foreach (var fragment in new[] { "Host", "Port", "ClientId", "KeepAlive", "MaxInFlight", "ReconnectDelayMax", "Username", "Will topic" })
            Assert.Contains(fragment, error.Message);
        new MqttClientOptions { Host = "broker", ClientId = "edge-1" }.Validate();
    }

    [Fact]
    public async Task Invalid_topics_are_refused_before_anything_is_sent()
    {
        var client = new MqttClient(new MqttClientOptions { Host = "broker", ClientId = "edge-1" });
        Assert.Throws<ArgumentException>(() => { _ = client.PublishAsync("a/+", default, MqttQualityOfService.AtMostOnce); });
        Assert.Throws<ArgumentException>(() => { _ = client.PublishAsync("", default, MqttQualityOfService.AtMostOnce); });
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubscribeAsync("a/#/b", MqttQualityOfService.AtLeastOnce, CancellationToken.None));
    }

    [Fact]
    public void Inbound_acknowledgements_release_pubacks_in_receive_order_and_nothing_once_closed()
    {
        var sent = new List<ushort>();
        var dropped = new List<ushort>();
        var owed = new InboundAcknowledgements(id => { sent.Add(id); return true; }, dropped.Add);
        var a = owed.Track(1);
        var b = owed.Track(2);
        var c = owed.Track(3);

        Assert.True(c.Acknowledge());
        Assert.True(b.Acknowledge());
        Assert.Empty(sent);
        Assert.Equal(3, owed.Pending);
        Assert.True(a.Acknowledge());
        Assert.Equal([1, 2, 3], sent.Select(i => (int)i));
        Assert.True(a.Acknowledge()); // again: nothing more
        Assert.Equal(3, sent.Count);

        var d = owed.Track(4);
        var e = owed.Track(5);
        e.Acknowledge();
        owed.Close();
        Assert.False(d.Acknowledge());
        Assert.False(owed.Track(6).Acknowledge());
        Assert.Equal(3, sent.Count); // the held 5 died with its connection
        Assert.Equal([4, 6], dropped.Select(i => (int)i));
        Assert.Equal(0, owed.Pending);
    }

    [Fact]
    public void Inbound_acknowledgements_close_when_the_writer_refuses_a_puback()
    {
        var owed = new InboundAcknowledgements(_ => false);
        var a = owed.Track(1);
        var b = owed.Track(2);
        Assert.False(a.Acknowledge());
        Assert.False(b.Acknowledge());
        Assert.Equal(0, owed.Pending);
    }
}
