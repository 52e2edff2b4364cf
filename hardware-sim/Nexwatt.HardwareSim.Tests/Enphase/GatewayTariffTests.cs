using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Nexwatt.HardwareSim.Enphase;
using Nexwatt.Testing;

namespace Nexwatt.HardwareSim.Tests.Enphase;

/// <summary>PUT /admin/lib/tariff (the whole document) steers the simulated batteries: charge from grid, reserve, mode.</summary>
public sealed class GatewayTariffTests
{
    // Midnight in June at 52 N: no sun, so every battery movement comes from the storage settings and the load.
    private static readonly DateTimeOffset Midnight = new(2026, 6, 21, 0, 0, 0, TimeSpan.Zero);

    private static async Task<(double Watts, double Soc)> Battery(HttpClient client)
    {
        var device = JsonNode.Parse(await client.GetStringAsync("/ivp/ensemble/power"))!["devices:"]![0]!;
        return (device["real_power_mw"]!.GetValue<long>() / 1000.0, device["soc"]!.GetValue<double>());
    }

    private static async Task<HttpResponseMessage> Put(HttpClient client, JsonNode document, Action<JsonObject> change)
    {
        var tariff = document["tariff"]!.DeepClone().AsObject();
        change(tariff["storage_settings"]!.AsObject());
        var body = new JsonObject { ["tariff"] = tariff }.ToJsonString();
        return await client.PutAsync("/admin/lib/tariff", new StringContent(body, Encoding.UTF8, "application/json"));
    }

    [Fact]
    public async Task Charge_from_grid_charges_a_raised_reserve_holds_and_the_document_reads_back()
    {
        var time = new FakeTimeProvider(Midnight);
        await using var gateway = await GatewayFixture.StartAsync(8, time: time);
        var client = gateway.OwnerClient();
        var original = JsonNode.Parse(await client.GetStringAsync("/admin/lib/tariff"))!;
        Assert.Equal("self-consumption", original["tariff"]!["storage_settings"]!["mode"]!.GetValue<string>());

        time.Advance(TimeSpan.FromMinutes(10));
        var (nightWatts, startSoc) = await Battery(client);
        Assert.True(nightWatts > 0, $"self-consumption at night discharges into the load, got {nightWatts} W");

        var charge = await Put(client, original, s => s["charge_from_grid"] = true);
        Assert.Equal(HttpStatusCode.OK, charge.StatusCode);
        time.Advance(TimeSpan.FromMinutes(30));
        var (chargeWatts, chargedSoc) = await Battery(client);
        Assert.Equal(-GatewayModel.BatteryMaxWatts, chargeWatts, 1);
        Assert.True(chargedSoc > startSoc + 5, $"SoC {startSoc} -> {chargedSoc} after 30 min of charge from grid");
        var readBack = JsonNode.Parse(await client.GetStringAsync("/admin/lib/tariff"))!;
        Assert.True(readBack["tariff"]!["storage_settings"]!["charge_from_grid"]!.GetValue<bool>());
        Assert.True(readBack["schedule"]!["charge_from_grid"]!.GetValue<bool>());

        // A reserve above the present SoC in self-consumption: the battery holds instead of discharging.
        Assert.Equal(HttpStatusCode.OK, (await Put(client, original, s => s["reserved_soc"] = 100.0)).StatusCode);
        time.Advance(TimeSpan.FromMinutes(1));
        var (_, heldSoc) = await Battery(client);
        time.Advance(TimeSpan.FromMinutes(30));
        var (holdWatts, laterSoc) = await Battery(client);
        Assert.Equal(0, holdWatts, 1);
        Assert.Equal(heldSoc, laterSoc, 0.5);
        var secctrl = JsonNode.Parse(await client.GetStringAsync("/ivp/ensemble/secctrl"))!;
        Assert.Equal(100, secctrl["configured_backup_soc"]!.GetValue<double>());

        // Restoring the original document restores the behaviour.
        Assert.Equal(HttpStatusCode.OK, (await Put(client, original, _ => { })).StatusCode);
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.True((await Battery(client)).Watts > 0);
        Assert.Equal(original["tariff"]!.ToJsonString(), JsonNode.Parse(await client.GetStringAsync("/admin/lib/tariff"))!["tariff"]!.ToJsonString());
        lock (gateway.Log) Assert.Contains(gateway.Log, l => l.StartsWith("TARIFF applied", StringComparison.Ordinal) && l.Contains("charge_from_grid=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Backup_mode_never_discharges_while_the_grid_is_up()
    {
        var time = new FakeTimeProvider(Midnight);
        await using var gateway = await GatewayFixture.StartAsync(7, time: time);
        var client = gateway.OwnerClient();
        var original = JsonNode.Parse(await client.GetStringAsync("/admin/lib/tariff"))!;
        Assert.Equal(HttpStatusCode.OK, (await Put(client, original, s => s["mode"] = "backup")).StatusCode);
        time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(0, (await Battery(client)).Watts, 1);
    }

    [Theory]
    [InlineData("{}", "tariff")]
    [InlineData("{\"tariff\":{\"storage_settings\":{\"mode\":\"turbo\",\"reserved_soc\":20}}}", "mode")]
    [InlineData("{\"tariff\":{\"storage_settings\":{\"mode\":\"backup\",\"reserved_soc\":120}}}", "reserved_soc")]
    [InlineData("{\"tariff\":{\"storage_settings\":{\"mode\":\"backup\",\"reserved_soc\":20,\"charge_from_grid\":\"yes\"}}}", "charge_from_grid")]
    [InlineData("not json", "JSON")]
    public async Task A_bad_document_is_refused_with_400_and_changes_nothing(string body, string named)
    {
        await using var gateway = await GatewayFixture.StartAsync(8);
        var client = gateway.OwnerClient();
        var before = await client.GetStringAsync("/admin/lib/tariff");
        var response = await client.PutAsync("/admin/lib/tariff", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await client.GetStringAsync("/admin/lib/tariff"));
    }

    [Fact]
    public async Task Ignore_writes_fault_acknowledges_a_write_and_keeps_the_old_document()
    {
        await using var gateway = await GatewayFixture.StartAsync(8, new GatewayFaultPlan { IgnoreTariffWrites = true });
        var client = gateway.OwnerClient();
        var original = JsonNode.Parse(await client.GetStringAsync("/admin/lib/tariff"))!;
        Assert.Equal(HttpStatusCode.OK, (await Put(client, original, s => s["charge_from_grid"] = true)).StatusCode);
        var readBack = JsonNode.Parse(await client.GetStringAsync("/admin/lib/tariff"))!;
        Assert.False(readBack["tariff"]!["storage_settings"]!["charge_from_grid"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Firmware_5_tariff_write_needs_Digest()
    {
        await using var gateway = await GatewayFixture.StartAsync(5);
        var body = new StringContent("{\"tariff\":{\"storage_settings\":{\"mode\":\"backup\",\"reserved_soc\":30}}}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Client().PutAsync("/admin/lib/tariff", body)).StatusCode);
        var envoy = gateway.Client(credentials: new NetworkCredential("envoy", gateway.EnvoyPassword));
        Assert.Equal(HttpStatusCode.OK, (await envoy.PutAsync("/admin/lib/tariff", new StringContent("{\"tariff\":{\"storage_settings\":{\"mode\":\"backup\",\"reserved_soc\":30}}}", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Contains("\"backup\"", await envoy.GetStringAsync("/admin/lib/tariff"));
    }
}
