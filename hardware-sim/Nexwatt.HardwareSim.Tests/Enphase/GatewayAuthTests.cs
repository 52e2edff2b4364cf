using System.Net;
using Nexwatt.HardwareSim.Enphase;

namespace Nexwatt.HardwareSim.Tests.Enphase;

/// <summary>Digest below firmware 7, JWT bearer (and the check_jwt session cookie) from 7, both enforced.</summary>
public sealed class GatewayAuthTests
{
    [Fact]
    public async Task Firmware_5_protects_inverters_and_tariff_with_Digest_and_leaves_production_open()
    {
        await using var gateway = await GatewayFixture.StartAsync(5);
        var anonymous = gateway.Client();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/production.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/ivp/meters/readings")).StatusCode);
        var refused = await anonymous.GetAsync("/api/v1/production/inverters");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var challenge = Assert.Single(refused.Headers.WwwAuthenticate);
        Assert.Equal("Digest", challenge.Scheme);
        Assert.Contains("realm=\"enphaseenergy.com\"", challenge.Parameter);
        Assert.Contains("qop=\"auth\"", challenge.Parameter);

        // .NET's own Digest client is the independent peer here.
        var envoy = gateway.Client(credentials: new NetworkCredential("envoy", gateway.EnvoyPassword));
        Assert.Equal(HttpStatusCode.OK, (await envoy.GetAsync("/api/v1/production/inverters")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await envoy.GetAsync("/admin/lib/tariff")).StatusCode);
        var wrong = gateway.Client(credentials: new NetworkCredential("envoy", "000000"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/admin/lib/tariff")).StatusCode);
        var installer = gateway.Client(credentials: new NetworkCredential("installer", ""));
        Assert.Equal(HttpStatusCode.Unauthorized, (await installer.GetAsync("/admin/lib/tariff")).StatusCode);
    }

    [Fact]
    public async Task Firmware_5_installer_user_works_with_its_configured_password()
    {
        await using var gateway = await GatewayFixture.StartAsync(new EnphaseGatewayPlan { Generation = GatewayGeneration.Firmware5, InstallerPassword = "s3cret" });
        var installer = gateway.Client(credentials: new NetworkCredential("installer", "s3cret"));
        Assert.Equal(HttpStatusCode.OK, (await installer.GetAsync("/api/v1/production/inverters")).StatusCode);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Token_firmware_needs_a_valid_unexpired_token_of_this_gateway(int firmware)
    {
        await using var gateway = await GatewayFixture.StartAsync(firmware);
        await using var other = await GatewayFixture.StartAsync(new EnphaseGatewayPlan { Generation = GatewayGeneration.ForMajor(firmware)!, Serial = "122300000099" });
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client().GetAsync("/info")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Client().GetAsync("/ivp/meters/readings")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.OwnerClient().GetAsync("/ivp/meters/readings")).StatusCode);
        var installer = gateway.Client(bearer: gateway.Server.Tokens.Mint("installer", TimeSpan.FromHours(12)));
        Assert.Equal(HttpStatusCode.OK, (await installer.GetAsync("/admin/lib/tariff")).StatusCode);

        var expired = gateway.Client(bearer: gateway.Server.Tokens.Mint("owner", TimeSpan.FromMinutes(-1)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await expired.GetAsync("/production.json")).StatusCode);
        var foreign = gateway.Client(bearer: other.Server.Tokens.Mint("owner", TimeSpan.FromDays(1)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await foreign.GetAsync("/production.json")).StatusCode);
        var garbage = gateway.Client(bearer: "not.a.jwt");
        Assert.Equal(HttpStatusCode.Unauthorized, (await garbage.GetAsync("/production.json")).StatusCode);
        lock (gateway.Log)
        {
            Assert.Contains(gateway.Log, l => l.Contains("reason=expired", StringComparison.Ordinal));
            Assert.Contains(gateway.Log, l => l.Contains("reason=bad signature", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Check_jwt_answers_valid_token_and_a_session_cookie_that_replaces_the_header()
    {
        await using var gateway = await GatewayFixture.StartAsync(7);
        var token = gateway.Server.Tokens.Mint("owner", TimeSpan.FromDays(30));
        var client = gateway.Client(cookies: true);
        using (var check = new HttpRequestMessage(HttpMethod.Get, "/auth/check_jwt"))
        {
            check.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            var response = await client.SendAsync(check);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Valid token.", await response.Content.ReadAsStringAsync());
            Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(EnphaseGatewayServer.SessionCookie + "=", StringComparison.Ordinal));
        }
        // No Authorization header: the cookie alone is enough.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/ivp/ensemble/power")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Client(bearer: "x.y.z").GetAsync("/auth/check_jwt")).StatusCode);
    }

    [Fact]
    public async Task Token_files_are_written_and_behave_as_named()
    {
        var directory = Path.Combine(Path.GetTempPath(), "nexwatt-enphase-tokens-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await using var gateway = await GatewayFixture.StartAsync(new EnphaseGatewayPlan { Generation = GatewayGeneration.Firmware8, TokenDirectory = directory });
            foreach (var (file, expected) in new[] { ("owner.jwt", HttpStatusCode.OK), ("installer.jwt", HttpStatusCode.OK), ("near-expiry.jwt", HttpStatusCode.OK), ("expired.jwt", HttpStatusCode.Unauthorized) })
            {
                var client = gateway.Client(bearer: (await File.ReadAllTextAsync(Path.Combine(directory, file))).Trim());
                Assert.Equal(expected, (await client.GetAsync("/api/v1/production")).StatusCode);
            }
            var payload = (await File.ReadAllTextAsync(Path.Combine(directory, "installer.jwt"))).Split('.')[1];
            var json = System.Text.Json.Nodes.JsonNode.Parse(Convert.FromBase64String(payload.Replace('-', '+').Replace('_', '/').PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=')))!;
            Assert.Equal("installer", json["enphaseUser"]!.GetValue<string>());
            Assert.Equal(gateway.Server.Serial, json["aud"]!.GetValue<string>());
        }
        finally { Directory.Delete(directory, recursive: true); }
    }
}
