using System.Diagnostics;
using System.Globalization;
using Nexwatt.EdgeAgent.Tests.Integration;
using Nexwatt.Protocols.Mqtt;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;
using static Nexwatt.EdgeAgent.Tests.Dispatch.SetpointFactory;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

/// <summary>
/// A real agent process with its MQTT uplink to Mosquitto applies a signed setpoint to a real hardware-sim battery.
/// SIGKILLed, nothing restores the battery but the revert timer the agent wrote, so it must fall back to idle by itself
/// once that runs out; stopped gracefully, the agent restores it at once.
/// </summary>
public sealed class AgentKilledMidWindowTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Killed_mid_window_the_battery_reverts_to_idle_by_itself_after_the_revert_timeout()
    {
        const int revertSeconds = 6;
        await using var run = await DispatchedRun.StartAsync(revertSeconds);

        // Held past the revert timeout while the agent lives: its re-asserts keep the device from falling back. (Real
        // time on purpose: the property is that nothing changes for longer than the device's own timer.)
        await Task.Delay(TimeSpan.FromSeconds(revertSeconds + 2));
        Assert.Equal(2, await run.Battery.ModeAsync());

        run.Agent.Kill();
        await run.Agent.WaitForExitAsync(TimeSpan.FromSeconds(10));
        // Still discharging just after the kill: the last re-assert was at most RevertTimeout/3 ago.
        Assert.Equal(2, await run.Battery.ModeAsync());
        Assert.True(await SimulatedSunSpecDevice.EventuallyAsync(async () => await run.Battery.ModeAsync() == 0, TimeSpan.FromSeconds(revertSeconds * 3)),
            "the battery did not revert after the agent died");
        Assert.True(await SimulatedSunSpecDevice.EventuallyAsync(async () => Math.Abs(await run.Battery.WattsAsync()) <= 50, TimeSpan.FromSeconds(10)), "the battery still delivers power");
    }

    [Fact]
    public async Task Stopped_gracefully_the_agent_restores_the_battery_at_once()
    {
        // A revert timeout far beyond the patience below: a restore within it is the agent's doing.
        await using var run = await DispatchedRun.StartAsync(revertSeconds: 300);
        using (var term = Process.Start("kill", ["-TERM", run.Agent.Id.ToString(CultureInfo.InvariantCulture)]))
            await term.WaitForExitAsync();
        Assert.Equal(0, await run.Agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(0, await run.Battery.ModeAsync());
        Assert.Contains("restored to normal operation (agent stopping)", run.Agent.Log);
        Assert.True(await SimulatedSunSpecDevice.EventuallyAsync(async () => Math.Abs(await run.Battery.WattsAsync()) <= 50, TimeSpan.FromSeconds(10)), "the battery still delivers power");
    }

    /// <summary>Broker, battery and agent, with a 1500 W discharge setpoint applied and acknowledged over MQTT.</summary>
    private sealed class DispatchedRun : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _owned = [];
        private string? _config;

        public SimulatedSunSpecDevice Battery { get; private set; } = null!;
        public PeerProcess Agent { get; private set; } = null!;

        public static async Task<DispatchedRun> StartAsync(int revertSeconds)
        {
            var run = new DispatchedRun();
            try
            {
                await run.InitializeAsync(revertSeconds);
                return run;
            }
            catch
            {
                await run.DisposeAsync();
                throw;
            }
        }

        private async Task InitializeAsync(int revertSeconds)
        {
            var broker = await Mosquitto.StartAsync();
            _owned.Add(broker);
            Battery = await SimulatedSunSpecDevice.StartAsync();
            _owned.Add(Battery);
            using var collector = new SetpointFactory(DateTimeOffset.UtcNow);
            var keyFile = Path.Combine(Directory.CreateTempSubdirectory("nexwatt-dispatch-").FullName, "collector.pem");
            await File.WriteAllTextAsync(keyFile, collector.PublicPem());
            _config = MqttUplinkTests.WriteConfig(new
            {
                SiteId = "site-kill",
                DefaultPollInterval = "00:00:01",
                Devices = new[] { new { Id = "battery", Host = Battery.Endpoint.Host, Port = Battery.Endpoint.Port, UnitId = Battery.Endpoint.Unit } },
                Buffer = new { Path = MqttUplinkTests.TempBufferPath() },
                Uplink = new { Mqtt = new { Enabled = true, Host = "127.0.0.1", Port = broker.Port, Tls = new { Enabled = false } } },
                Dispatch = new { CollectorPublicKeyFile = keyFile, RevertTimeout = TimeSpan.FromSeconds(revertSeconds).ToString("c", CultureInfo.InvariantCulture) },
            });

            var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = broker.Port, ClientId = "test-collector", CleanStart = true });
            _owned.Add(client);
            await client.SubscribeAsync("nexwatt/v1/site-kill/acks", MqttQualityOfService.AtLeastOnce, CancellationToken.None);
            await client.StartAsync(CancellationToken.None);
            await client.WaitUntilConnectedAsync(CancellationToken.None).WaitAsync(Patience);

            Agent = AgentProcess.Start(["run", "--config", _config]);
            _owned.Add(Agent);
            await Agent.WaitForLineAsync(l => l.Contains("SunSpec device", StringComparison.Ordinal), Patience);
            await Agent.WaitForLineAsync(l => l.Contains("Uplink session started", StringComparison.Ordinal), Patience);

            var payload = collector.Signed(collector.Setpoint("sp-1", site: "site-kill", lifetime: TimeSpan.FromMinutes(10), targets: [Watts("battery", 1500)]));
            var ack = await SendUntilAnsweredAsync(client, payload);
            Assert.True(ack.Result == SetpointAck.Types.Result.Applied, $"{ack}\n{Agent.Log}");
            Assert.Equal("sp-1", ack.SetpointId);

            var storage = await Battery.ReadAsync(124);
            Assert.Equal(2, storage.Read("StorCtl_Mod").Raw);
            Assert.Equal(revertSeconds, storage.Read("InOutWRte_RvrtTms").Raw);
            Assert.True(await SimulatedSunSpecDevice.EventuallyAsync(async () => Math.Abs(await Battery.WattsAsync() - 1500) <= 50, Patience), "the battery never discharged");
        }

        /// <summary>At least once, as the collector sends: repeated until answered (a repeat is a duplicate and writes nothing).</summary>
        private static async Task<SetpointAck> SendUntilAnsweredAsync(MqttClient client, byte[] payload)
        {
            using var answered = new CancellationTokenSource(Patience);
            while (true)
            {
                await client.PublishAsync("nexwatt/v1/site-kill/setpoints", payload, MqttQualityOfService.AtLeastOnce, false, answered.Token);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(answered.Token);
                wait.CancelAfter(TimeSpan.FromSeconds(3));
                try { return SetpointAck.Parser.ParseFrom((await client.Messages.ReadAsync(wait.Token)).Payload.Span); }
                catch (OperationCanceledException) when (!answered.IsCancellationRequested) { }
            }
        }

        public async ValueTask DisposeAsync()
        {
            for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
            if (_config is not null) File.Delete(_config);
        }
    }
}
