using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.EdgeAgent.Polling.Enphase;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Tests.Enphase;

/// <summary>Dispatch of an Enphase gateway's batteries through its tariff document, against an in-test fake gateway.</summary>
public sealed class EnphaseBatteryControlTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("enphase-control").FullName;

    private async Task<(FakeGateway Gateway, EnphaseDeviceSource Source, ISiteDevices Control)> StartAsync()
    {
        var token = $"{B64("{\"alg\":\"ES256\"}")}.{B64($"{{\"enphaseUser\":\"owner\",\"exp\":{DateTimeOffset.UtcNow.AddYears(1).ToUnixTimeSeconds()}}}")}.c2ln";
        var gateway = await FakeGateway.StartAsync("8.2.127_with_3cts_and_battery_split", https: true);
        gateway.Token = token;
        var device = new DeviceOptions { Id = "envoy", Type = DeviceTypes.Enphase };
        device.Enphase.Url = gateway.Url;
        device.Enphase.PinFile = Path.Combine(_dir, "pin");
        device.Enphase.TokenFile = Path.Combine(_dir, "token");
        File.WriteAllText(device.Enphase.TokenFile, token);
        var registry = new DeviceControlRegistry();
        var source = new EnphaseDeviceSource(device, TimeProvider.System, NullLogger.Instance, _dir, registry);
        await source.ReadAsync(CancellationToken.None);
        var control = registry.FindController("envoy.battery");
        Assert.NotNull(control);
        Assert.Same(control, registry.FindController("envoy.battery-12345678901006"));
        return (gateway, source, control!);
    }

    private static JsonElement Settings(FakeGateway gateway)
    {
        using var document = JsonDocument.Parse(gateway.Tariff!);
        return document.RootElement.GetProperty("tariff").GetProperty("storage_settings").Clone();
    }

    [Fact]
    public async Task Charge_BecomesChargeFromGrid_HoldRaisesReserve_DischargeIsRejected_RestorePutsTheOriginalBack()
    {
        var (gateway, source, control) = await StartAsync();
        await using var _ = gateway;
        using var __ = source;
        var state = await control.ReadStateAsync("envoy.battery", CancellationToken.None);
        Assert.True(state!.HasStorageControls);
        Assert.Equal(20, state.ReservePercent);
        Assert.Equal(21, state.StateOfChargePercent);

        var charge = await control.ApplyAsync(PlannedTarget.Power("envoy.battery", -3000), TimeSpan.FromMinutes(5), true, CancellationToken.None);
        Assert.Equal(SetpointAck.Types.Result.Applied, charge.Result);
        Assert.True(Settings(gateway).GetProperty("charge_from_grid").GetBoolean());
        // The rest of the document is kept as read.
        Assert.Equal("self-consumption", Settings(gateway).GetProperty("mode").GetString());

        var discharge = await control.ApplyAsync(PlannedTarget.Power("envoy.battery", 2000), TimeSpan.FromMinutes(5), true, CancellationToken.None);
        Assert.Equal(SetpointAck.Types.Result.Rejected, discharge.Result);
        Assert.Contains("cannot command a discharge", discharge.Reason);

        var hold = await control.ApplyAsync(PlannedTarget.Power("envoy.battery", 0), TimeSpan.FromMinutes(5), true, CancellationToken.None);
        Assert.Equal(SetpointAck.Types.Result.Applied, hold.Result);
        Assert.Equal(21, Settings(gateway).GetProperty("reserved_soc").GetDouble());

        await control.RestoreAsync(PlannedTarget.Power("envoy.battery", 0), CancellationToken.None);
        Assert.False(Settings(gateway).GetProperty("charge_from_grid").GetBoolean());
        Assert.Equal(20, Settings(gateway).GetProperty("reserved_soc").GetDouble());
    }

    [Fact]
    public async Task WithoutAConfiguredRating_ATargetIsRejectedNamingTheKey()
    {
        var (gateway, source, control) = await StartAsync();
        await using var _ = gateway;
        using var __ = source;
        var state = await control.ReadStateAsync("envoy.battery", CancellationToken.None);
        var (plan, reason) = DispatchLimits.CheckTarget(new SetpointTarget { DeviceId = "envoy.battery", ActivePowerW = -3000 }, state);
        Assert.Null(plan);
        Assert.Contains("Enphase:BatteryRatingW", reason);
    }

    [Fact]
    public async Task AWriteTheGatewayAcceptsButIgnores_IsPartialWithTheReason()
    {
        var (gateway, source, control) = await StartAsync();
        await using var _ = gateway;
        using var __ = source;
        gateway.IgnoreTariffWrites = true;
        var charge = await control.ApplyAsync(PlannedTarget.Power("envoy.battery", -3000), TimeSpan.FromMinutes(5), true, CancellationToken.None);
        Assert.Equal(SetpointAck.Types.Result.Partial, charge.Result);
        Assert.Contains("reads back False", charge.Reason);
    }

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
