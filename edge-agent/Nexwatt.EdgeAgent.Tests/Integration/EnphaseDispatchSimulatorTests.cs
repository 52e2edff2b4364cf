using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.EdgeAgent.Polling.Enphase;
using Nexwatt.EdgeAgent.Tests.Dispatch;
using Nexwatt.Protos.V1;
using Nexwatt.Testing;
using Result = Nexwatt.Protos.V1.SetpointAck.Types.Result;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>
/// Signed setpoints through the agent's dispatch engine and routing to the Enphase controller that the agent's own
/// poller registered while polling hardware-sim's firmware-8 gateway (HTTPS, JWT, pinned certificate). The
/// simulator's tariff document is the oracle: read by the test itself before, during and after the window.
/// </summary>
public sealed class EnphaseDispatchSimulatorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("enphase-dispatch").FullName;

    [Fact]
    public async Task A_charge_is_applied_through_the_tariff_a_discharge_is_rejected_and_the_window_end_restores_the_document()
    {
        var tokens = Path.Combine(_dir, "tokens");
        await using var gateway = await SimulatedEnphaseGateway.StartAsync("--firmware", "8", "--token-dir", tokens);
        var token = File.ReadAllText(Path.Combine(tokens, "owner.jwt")).Trim();
        using var tariffReader = TariffReader(gateway, token);

        var device = new DeviceOptions { Id = "envoy", Type = DeviceTypes.Enphase };
        device.Enphase.Url = gateway.Endpoint.ToString();
        device.Enphase.TokenFile = Path.Combine(tokens, "owner.jwt");
        device.Enphase.PinFile = Path.Combine(_dir, "envoy.pin");
        device.Enphase.BatteryRatingW = 3840;
        var registry = new DeviceControlRegistry();
        using var source = new EnphaseDeviceSource(device, TimeProvider.System, NullLogger.Instance, _dir, registry);
        var polled = await source.ReadAsync(CancellationToken.None);
        Assert.Contains(polled.Readings, r => r.DeviceId == "envoy.battery" && r.Point == "StateOfChargePct");
        Assert.NotNull(registry.FindController("envoy.battery"));

        var original = await Tariff(tariffReader);
        Assert.False(original["storage_settings"]!["charge_from_grid"]!.GetValue<bool>());

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var collector = new SetpointFactory(clock.GetUtcNow());
        var options = new DispatchOptions { RevertTimeout = TimeSpan.FromSeconds(30), MeasureSettleTime = TimeSpan.Zero };
        var engine = new DispatchEngine(new SetpointVerifier(collector.Pinned(), "site-1", options.ClockSkewTolerance),
            new RoutingSiteDevices(registry, new NoSunSpecDevices()), options, "site-1", clock, NullLogger.Instance);
        var acks = new List<SetpointAck>();

        await engine.HandleAsync(collector.Signed(collector.Setpoint("sp-discharge", dispatch: "d-discharge",
            targets: [SetpointFactory.Watts("envoy.battery", 2000)])), acks.Add, CancellationToken.None);
        var discharge = Assert.Single(acks);
        Assert.Equal(Result.Rejected, discharge.Result);
        Assert.Contains("cannot command a discharge", Assert.Single(discharge.Targets).Reason);
        Assert.Equal(original.ToJsonString(), (await Tariff(tariffReader)).ToJsonString());

        await engine.HandleAsync(collector.Signed(collector.Setpoint("sp-charge", dispatch: "d-charge", lifetime: TimeSpan.FromMinutes(2),
            targets: [SetpointFactory.Watts("envoy.battery", -3000)])), acks.Add, CancellationToken.None);
        var charge = acks[^1];
        Assert.True(charge.Result == Result.Applied, $"{charge.Result}: {charge.Reason} {string.Join("; ", charge.Targets.Select(t => t.Reason))}");
        var during = await Tariff(tariffReader);
        Assert.True(during["storage_settings"]!["charge_from_grid"]!.GetValue<bool>());
        Assert.Equal(original["storage_settings"]!["mode"]!.ToJsonString(), during["storage_settings"]!["mode"]!.ToJsonString());

        clock.Advance(TimeSpan.FromMinutes(3));
        await engine.RunDueAsync(CancellationToken.None);
        Assert.Empty(engine.Active);
        Assert.Equal(original.ToJsonString(), (await Tariff(tariffReader)).ToJsonString());
    }

    /// <summary>The test's own HTTPS client: the simulator's certificate accepted only by the fingerprint it announced.</summary>
    private static HttpClient TariffReader(SimulatedEnphaseGateway gateway, string token)
    {
        Assert.NotNull(gateway.Fingerprint);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData())) == gateway.Fingerprint;
        var client = new HttpClient(handler) { BaseAddress = gateway.Endpoint };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<JsonNode> Tariff(HttpClient client) =>
        JsonNode.Parse(await client.GetStringAsync("/admin/lib/tariff"))!["tariff"]!;

    /// <summary>No SunSpec device on this site: routing must never fall through to it.</summary>
    private sealed class NoSunSpecDevices : ISiteDevices
    {
        public ValueTask<DeviceControlState?> ReadStateAsync(string deviceId, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"{deviceId} was routed to SunSpec");
        public ValueTask<TargetResult> ApplyAsync(PlannedTarget target, TimeSpan revertTimeout, bool measure, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"{target.DeviceId} was routed to SunSpec");
        public ValueTask RestoreAsync(PlannedTarget target, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"{target.DeviceId} was routed to SunSpec");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
