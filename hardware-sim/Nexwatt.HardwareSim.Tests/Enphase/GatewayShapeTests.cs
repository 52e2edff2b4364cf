using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Nexwatt.HardwareSim.Tests.Enphase;

/// <summary>The simulated gateway answers in each generation's shapes (key names and units of the Enphase README).</summary>
public sealed class GatewayShapeTests
{
    [Theory]
    [InlineData(5, "D5.0.62", false, "http")]
    [InlineData(7, "D7.6.175", true, "https")]
    [InlineData(8, "D8.2.4345", true, "https")]
    public async Task Info_names_the_firmware_and_the_transport_follows_it(int firmware, string software, bool webTokens, string scheme)
    {
        await using var gateway = await GatewayFixture.StartAsync(firmware);
        Assert.Equal(scheme, gateway.Server.BaseAddress.Scheme);
        var info = XDocument.Parse(await gateway.Client().GetStringAsync("/info")).Root!;
        Assert.Equal(software, info.Element("device")!.Element("software")!.Value);
        Assert.Equal(gateway.Server.Serial, info.Element("device")!.Element("sn")!.Value);
        Assert.Equal("true", info.Element("device")!.Element("imeter")!.Value);
        Assert.Equal(webTokens, info.Element("web-tokens")?.Value == "true");
    }

    [Fact]
    public async Task Firmware_8_has_device_data_and_no_operating_key_firmware_7_the_reverse()
    {
        await using var seven = await GatewayFixture.StartAsync(7);
        await using var eight = await GatewayFixture.StartAsync(8);
        var client7 = seven.OwnerClient();
        var client8 = eight.OwnerClient();

        var battery7 = JsonNode.Parse(await client7.GetStringAsync("/ivp/ensemble/inventory"))![0]!["devices"]![0]!.AsObject();
        var battery8 = JsonNode.Parse(await client8.GetStringAsync("/ivp/ensemble/inventory"))![0]!["devices"]![0]!.AsObject();
        Assert.True(battery7.ContainsKey("operating"));
        Assert.False(battery8.ContainsKey("operating"));
        Assert.Equal(3500, battery8["encharge_capacity"]!.GetValue<double>());

        Assert.Equal(HttpStatusCode.NotFound, (await client7.GetAsync("/ivp/pdm/device_data")).StatusCode);
        var deviceData = JsonNode.Parse(await client8.GetStringAsync("/ivp/pdm/device_data"))!.AsObject();
        var pcu = deviceData["1"]!;
        Assert.Equal("pcu", pcu["devName"]!.GetValue<string>());
        // Channel readings are in mV and mHz.
        Assert.InRange(pcu["channels"]![0]!["lastReading"]!["acVoltageINmV"]!.GetValue<double>(), 200_000, 260_000);
        Assert.Equal(50_000, pcu["channels"]![0]!["lastReading"]!["acFrequencyINmHz"]!.GetValue<double>());
    }

    [Fact]
    public async Task Meters_readings_production_and_ensemble_agree_with_each_other()
    {
        // Noon in June at 52 N: the array produces; the household draws its base load.
        var time = new Nexwatt.Testing.FakeTimeProvider(new DateTimeOffset(2026, 6, 21, 11, 40, 0, TimeSpan.Zero));
        await using var gateway = await GatewayFixture.StartAsync(7, time: time);
        time.Advance(TimeSpan.FromSeconds(30));
        var client = gateway.OwnerClient();

        var meters = JsonNode.Parse(await client.GetStringAsync("/ivp/meters"))!.AsArray();
        Assert.Equal(["production", "net-consumption"], meters.Select(m => m!["measurementType"]!.GetValue<string>()));
        var readings = JsonNode.Parse(await client.GetStringAsync("/ivp/meters/readings"))!.AsArray();
        var production = readings.Single(r => r!["eid"]!.GetValue<long>() == meters[0]!["eid"]!.GetValue<long>())!;
        var net = readings.Single(r => r!["eid"]!.GetValue<long>() == meters[1]!["eid"]!.GetValue<long>())!;
        var pvWatts = production["activePower"]!.GetValue<double>();
        Assert.InRange(pvWatts, 1500, 4000);
        Assert.Equal(3, production["channels"]!.AsArray().Count);
        Assert.Equal(pvWatts, production["channels"]!.AsArray().Sum(c => c!["activePower"]!.GetValue<double>()), 0.01);
        Assert.Equal(50.0, production["freq"]!.GetValue<double>());

        var power = JsonNode.Parse(await client.GetStringAsync("/ivp/ensemble/power"))!;
        var battery = power["devices:"]![0]!;
        var batteryWatts = battery["real_power_mw"]!.GetValue<long>() / 1000.0;
        // Self-consumption at noon: the surplus charges the battery (negative = charging in the simulator's convention).
        Assert.True(batteryWatts < 0, $"battery {batteryWatts} W should be charging from the PV surplus");

        var productionJson = JsonNode.Parse(await client.GetStringAsync("/production.json?details=1"))!;
        var eim = productionJson["production"]!.AsArray().Single(p => p!["type"]!.GetValue<string>() == "eim")!;
        Assert.Equal(pvWatts, eim["wNow"]!.GetValue<double>(), 0.01);
        Assert.Equal(3, eim["lines"]!.AsArray().Count);
        var total = productionJson["consumption"]!.AsArray().Single(c => c!["measurementType"]!.GetValue<string>() == "total-consumption")!["wNow"]!.GetValue<double>();
        var netWatts = net["activePower"]!.GetValue<double>();
        // Net = load - production - battery discharge: the energy balance of the site.
        Assert.Equal(total - pvWatts - batteryWatts, netWatts, 0.05);

        var inverters = JsonNode.Parse(await client.GetStringAsync("/api/v1/production/inverters"))!.AsArray();
        Assert.Equal(10, inverters.Count);
        Assert.Equal(pvWatts, inverters.Sum(i => i!["lastReportWatts"]!.GetValue<double>()), pvWatts * 0.02 + 10);
        var v1 = JsonNode.Parse(await client.GetStringAsync("/api/v1/production"))!;
        Assert.Equal(Math.Round(pvWatts), v1["wattsNow"]!.GetValue<double>(), 1);
    }

    [Fact]
    public async Task Unknown_endpoint_is_404_with_the_gateway_error_body()
    {
        await using var gateway = await GatewayFixture.StartAsync(5);
        var response = await gateway.Client().GetAsync("/ivp/nothing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("404 - Not Found", await response.Content.ReadAsStringAsync());
    }
}
