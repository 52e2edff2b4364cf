using System.Net;
using System.Text.Json;
using Nexwatt.HardwareSim.Enphase;
using Nexwatt.Testing;

namespace Nexwatt.HardwareSim.Tests.Enphase;

/// <summary>
/// <c>--captures DIR</c> serves the shared fixture folders as captured (body and HTTP code), behind the transport and
/// auth their firmware implies, for every one of the 19 folders.
/// </summary>
public sealed class CaptureReplayTests
{
    private static readonly string[] Requests =
    [
        "/info", "/production.json", "/production.json?details=1", "/production", "/api/v1/production", "/api/v1/production/inverters",
        "/ivp/meters", "/ivp/meters/readings", "/ivp/ensemble/inventory", "/ivp/ensemble/power", "/ivp/ensemble/secctrl",
        "/ivp/ensemble/status", "/ivp/pdm/device_data", "/admin/lib/tariff", "/ivp/ss/dry_contact_settings", "/home",
    ];

    private static string Fixtures => Path.Combine(RepoPaths.SharedReference, "enphase", "fixtures");

    public static TheoryData<string> Folders()
    {
        var data = new TheoryData<string>();
        foreach (var folder in Directory.EnumerateDirectories(Fixtures).Select(Path.GetFileName).Order()) data.Add(folder!);
        return data;
    }

    [Fact]
    public void All_nineteen_fixture_folders_are_exercised() => Assert.Equal(19, Folders().Count);

    [Theory]
    [MemberData(nameof(Folders))]
    public async Task Every_captured_endpoint_is_served_with_its_body_and_code(string folder)
    {
        var directory = Path.Combine(Fixtures, folder);
        await using var gateway = await GatewayFixture.StartAsync(new EnphaseGatewayPlan { CapturesDirectory = directory });
        var firmware = int.Parse(folder.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(firmware >= 7 ? "https" : "http", gateway.Server.BaseAddress.Scheme);
        var client = firmware >= 7
            ? gateway.OwnerClient()
            : gateway.Client(credentials: new NetworkCredential("envoy", gateway.EnvoyPassword));
        if (firmware >= 7) Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Client().GetAsync("/production.json")).StatusCode);

        foreach (var request in Requests)
        {
            var split = request.IndexOf('?');
            var path = split < 0 ? request : request[..split];
            var query = split < 0 ? "" : request[(split + 1)..];
            var file = Path.Combine(directory, CaptureReplayContent.FileNameFor(path, query));
            if (!File.Exists(file) && query.Length > 0) file = Path.Combine(directory, CaptureReplayContent.FileNameFor(path, ""));
            var response = await client.GetAsync(request);
            if (!File.Exists(file))
            {
                Assert.True(HttpStatusCode.NotFound == response.StatusCode, $"{folder} {request}: no capture, expected 404, got {(int)response.StatusCode}");
                continue;
            }
            var expectedCode = 200;
            if (File.Exists(file + "_log.json"))
            {
                using var log = JsonDocument.Parse(await File.ReadAllTextAsync(file + "_log.json"));
                if (log.RootElement.TryGetProperty("code", out var code)) expectedCode = code.GetInt32();
            }
            Assert.True(expectedCode == (int)response.StatusCode, $"{folder} {request}: expected {expectedCode}, got {(int)response.StatusCode}");
            // Bytes, not text: some gateways declare charset=ISO-8859-4, which .NET does not decode by default.
            Assert.Equal(await File.ReadAllBytesAsync(file), await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task A_captured_path_cannot_leave_the_folder()
    {
        await using var gateway = await GatewayFixture.StartAsync(new EnphaseGatewayPlan { CapturesDirectory = Path.Combine(Fixtures, "5.0.62") });
        var client = gateway.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/info_log.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/..%2F..%2Fetc%2Fpasswd")).StatusCode);
    }

    [Fact]
    public void A_folder_without_info_is_refused_with_its_name()
    {
        var empty = Directory.CreateTempSubdirectory("nexwatt-no-info-");
        try
        {
            var ex = Assert.Throws<FileNotFoundException>(() => new CaptureReplayContent(empty.FullName));
            Assert.Contains(empty.FullName, ex.Message);
        }
        finally { empty.Delete(); }
    }
}
