using System.Globalization;
using System.Text.Json;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>
/// <c>read --enphase</c> against hardware-sim's simulated gateway of each generation at solar noon: the auth the
/// firmware implies, the certificate pinned on first use, and the project's signs on values the physics fixes
/// (PV surplus in self-consumption: production positive, the battery charging negative, the grid exporting positive).
/// </summary>
public sealed class ReadEnphaseSimulatorTests
{
    private static string[] Daylight()
    {
        var now = DateTime.UtcNow;
        var longitude = (12 - now.TimeOfDay.TotalHours) * 15;
        if (longitude < -180) longitude += 360;
        return ["--latitude", now.Month is >= 10 or <= 3 ? "-30" : "30", "--longitude", longitude.ToString("0.0", CultureInfo.InvariantCulture)];
    }

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Read_reports_auth_pin_and_signed_values_of_each_generation(int firmware)
    {
        var folder = Directory.CreateTempSubdirectory("nexwatt-read-enphase-").FullName;
        try
        {
            await using var gateway = await SimulatedEnphaseGateway.StartAsync(["--firmware", firmware.ToString(CultureInfo.InvariantCulture), "--token-dir", folder, .. Daylight()]);
            string[] credentials = firmware >= 7
                ? ["--token-file", Path.Combine(folder, "owner.jwt"), "--pin-file", Path.Combine(folder, "gateway.pin")]
                : ["--user", "envoy", "--password", gateway.Serial[^6..]];
            var (code, output) = await AgentProcess.RunAsync(["read", "--enphase", gateway.Endpoint.GetLeftPart(UriPartial.Authority), .. credentials, "--json"]);

            Assert.True(code == 0, output);
            using var json = JsonDocument.Parse(AgentProcess.JsonPart(output));
            var root = json.RootElement;
            Assert.Equal(gateway.Firmware, root.GetProperty("firmware").GetString());
            Assert.Equal(gateway.Serial, root.GetProperty("serial").GetString());
            if (firmware >= 7)
            {
                Assert.Equal("BearerToken", root.GetProperty("auth").GetString());
                Assert.Equal(gateway.Fingerprint, root.GetProperty("pinned").GetString(), ignoreCase: true);
            }
            else Assert.Contains("Digest", root.GetProperty("auth").GetString());

            var readings = root.GetProperty("readings").EnumerateArray()
                .Select(r => (Device: r.GetProperty("device").GetString()!, Point: r.GetProperty("point").GetString()!, Value: r.GetProperty("value"), Unit: r.GetProperty("unit").GetString()))
                .ToList();
            double Value(string suffix, string point) => readings.Single(r => r.Device.EndsWith(suffix, StringComparison.Ordinal) && r.Point == point).Value.GetDouble();
            Assert.True(Value(".production", "ActivePowerW") > 500, output);
            Assert.True(Value(".grid", "ActivePowerW") > 0, "a PV surplus exports: positive in the project's convention");
            Assert.True(Value(".battery", "ActivePowerW") < 0, "the surplus charges the battery: negative in the project's convention");
            Assert.InRange(Value(".battery", "StateOfChargePct"), 1, 100);
            Assert.Equal("W", readings.First(r => r.Point == "ActivePowerW").Unit);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
