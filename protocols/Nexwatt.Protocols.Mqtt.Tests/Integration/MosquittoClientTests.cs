using System.Text;
using Nexwatt.Testing;

namespace Nexwatt.Protocols.Mqtt.Tests.Integration;

/// <summary>Our client against a real Mosquitto 2.0 on loopback, checked by independent clients (mosquitto_sub/pub).</summary>
public sealed class MosquittoClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    internal static MqttClient NewClient(int port, MqttProtocolVersion version, ListLogger logger, Action<MqttClientOptions>? configure = null)
    {
        var options = new MqttClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            ClientId = "nx-" + Guid.NewGuid().ToString("N")[..10],
            ProtocolVersion = version,
            KeepAlive = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ReconnectDelayMin = TimeSpan.FromMilliseconds(100),
            ReconnectDelayMax = TimeSpan.FromSeconds(1),
        };
        configure?.Invoke(options);
        return new MqttClient(options, logger);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Qos0_and_qos1_publishes_reach_a_mosquitto_sub(MqttProtocolVersion version)
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var sub = await Peers.MosquittoSubAsync(broker, "nx/data/#", 3, version);
        var logger = new ListLogger();
        await using var client = NewClient(broker.Port, version, logger);
        await client.StartAsync(CancellationToken.None);
        await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);

        await client.PublishAsync("nx/data/zero", "q0"u8.ToArray(), MqttQualityOfService.AtMostOnce);
        await client.PublishAsync("nx/data/one", "q1"u8.ToArray(), MqttQualityOfService.AtLeastOnce);
        await client.PublishAsync("nx/data/big", Encoding.ASCII.GetBytes(new string('z', 200_000)), MqttQualityOfService.AtLeastOnce);

        Assert.Equal(0, await sub.WaitForExitAsync(Timeout));
        var lines = Peers.Received(sub);
        Assert.Contains("nx/data/zero q0", lines);
        Assert.Contains("nx/data/one q1", lines);
        Assert.Contains(lines, l => l.StartsWith("nx/data/big zzzz", StringComparison.Ordinal) && l.Length == "nx/data/big ".Length + 200_000);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task A_subscription_receives_what_mosquitto_pub_sends(MqttProtocolVersion version)
    {
        await using var broker = await Mosquitto.StartAsync();
        var logger = new ListLogger();
        await using var client = NewClient(broker.Port, version, logger);
        await client.StartAsync(CancellationToken.None);
        await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
        await client.SubscribeAsync("nx/cmd/#", MqttQualityOfService.AtLeastOnce, CancellationToken.None).WaitAsync(Timeout);

        await Peers.MosquittoPubAsync(broker, "nx/cmd/setpoint", "1500", version);
        var message = await client.Messages.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal("nx/cmd/setpoint", message.Topic);
        Assert.Equal("1500", Encoding.UTF8.GetString(message.Payload.Span));
        Assert.Equal(MqttQualityOfService.AtLeastOnce, message.QualityOfService);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task The_will_is_published_when_the_connection_dies_but_not_on_a_clean_stop(MqttProtocolVersion version)
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var sub = await Peers.MosquittoSubAsync(broker, "nx/status/+", 1, version);
        var logger = new ListLogger();

        await using (var polite = NewClient(broker.Port, version, logger, o => o.Will = new MqttWill("nx/status/polite", "stopped"u8.ToArray(), MqttQualityOfService.AtLeastOnce, false)))
        {
            await polite.StartAsync(CancellationToken.None);
            await polite.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
            await polite.StopAsync(CancellationToken.None).WaitAsync(Timeout);
        }

        await using var victim = NewClient(broker.Port, version, logger, o => o.Will = new MqttWill("nx/status/victim", "killed"u8.ToArray(), MqttQualityOfService.AtLeastOnce, false));
        await victim.StartAsync(CancellationToken.None);
        await victim.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
        victim.AbortConnection("simulated network failure");

        Assert.Equal(0, await sub.WaitForExitAsync(Timeout));
        // The subscriber exits after its first message: the clean stop published nothing before the kill did.
        Assert.Equal(["nx/status/victim killed"], Peers.Received(sub));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task A_persistent_session_gets_the_qos1_messages_published_while_offline(MqttProtocolVersion version)
    {
        await using var broker = await Mosquitto.StartAsync();
        var clientId = "nx-persist-" + Guid.NewGuid().ToString("N")[..8];
        var logger = new ListLogger();
        await using (var first = NewClient(broker.Port, version, logger, o => o.ClientId = clientId))
        {
            await first.StartAsync(CancellationToken.None);
            await first.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
            await first.SubscribeAsync("nx/persist/#", MqttQualityOfService.AtLeastOnce, CancellationToken.None).WaitAsync(Timeout);
            await first.StopAsync(CancellationToken.None);
        }

        for (var i = 0; i < 3; i++) await Peers.MosquittoPubAsync(broker, "nx/persist/m", $"offline-{i}", version);

        // A new client object with the same id and no SubscribeAsync: only the broker's session can deliver these.
        await using var second = NewClient(broker.Port, version, logger, o => o.ClientId = clientId);
        var sessionPresent = new TaskCompletionSource<bool>();
        second.ConnectionChanged += (_, e) => { if (e.IsConnected) sessionPresent.TrySetResult(e.SessionPresent); };
        await second.StartAsync(CancellationToken.None);
        Assert.True(await sessionPresent.Task.WaitAsync(Timeout));
        var payloads = new List<string>();
        for (var i = 0; i < 3; i++) payloads.Add(Encoding.UTF8.GetString((await second.Messages.ReadAsync().AsTask().WaitAsync(Timeout)).Payload.Span));
        Assert.Equal(["offline-0", "offline-1", "offline-2"], payloads);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task After_a_broker_restart_on_the_same_port_the_client_reconnects_by_itself_and_publishes_again(MqttProtocolVersion version)
    {
        await using var broker = await Mosquitto.StartAsync();
        var logger = new ListLogger();
        await using var client = NewClient(broker.Port, version, logger);
        var lost = new TaskCompletionSource<string?>();
        client.ConnectionChanged += (_, e) => { if (!e.IsConnected) lost.TrySetResult(e.Reason); };
        await client.StartAsync(CancellationToken.None);
        await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
        await client.PublishAsync("nx/r", "before"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask().WaitAsync(Timeout);

        broker.Kill();
        await lost.Task.WaitAsync(Timeout);
        await Assert.ThrowsAsync<MqttNotConnectedException>(() => client.PublishAsync("nx/r", "down"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask());
        await logger.WaitForAsync("connect attempt 1 failed");

        await broker.RestartAsync();
        await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
        await using var sub = await Peers.MosquittoSubAsync(broker, "nx/r", 1, version);
        await client.PublishAsync("nx/r", "after"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask().WaitAsync(Timeout);
        Assert.Equal(0, await sub.WaitForExitAsync(Timeout));
        Assert.Equal(["nx/r after"], Peers.Received(sub));
        Assert.True(client.ConnectionsOpened >= 2);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Username_and_password_are_checked_and_a_wrong_password_is_a_non_transient_refusal(MqttProtocolVersion version)
    {
        await using var broker = await Mosquitto.StartAsync(new MosquittoOptions { Users = new Dictionary<string, string> { ["edge"] = "s3cret" } });
        var logger = new ListLogger();
        await using (var good = NewClient(broker.Port, version, logger, o => { o.Username = "edge"; o.Password = "s3cret"; }))
        {
            await good.StartAsync(CancellationToken.None);
            await good.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout);
            await good.PublishAsync("nx/auth", "ok"u8.ToArray(), MqttQualityOfService.AtLeastOnce).AsTask().WaitAsync(Timeout);
        }

        foreach (var (user, password) in new (string?, string?)[] { ("edge", "wrong"), (null, null) })
        {
            await using var bad = NewClient(broker.Port, version, logger, o => { o.Username = user; o.Password = password; });
            await bad.StartAsync(CancellationToken.None);
            var refused = await Assert.ThrowsAsync<MqttConnectRefusedException>(() => bad.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Timeout));
            Assert.False(refused.IsTransient);
            Assert.False(bad.IsConnected);
        }
    }
}
