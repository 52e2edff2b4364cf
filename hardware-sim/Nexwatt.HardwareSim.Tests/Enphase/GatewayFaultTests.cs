using System.Diagnostics;
using System.Net;
using Nexwatt.HardwareSim.Enphase;

namespace Nexwatt.HardwareSim.Tests.Enphase;

/// <summary>Each gateway fault does what it says, and /info stays answerable under all of them.</summary>
public sealed class GatewayFaultTests
{
    private static GatewayFaultPlan Parse(string text)
    {
        Assert.True(GatewayFaultPlan.TryParse([text], out var plan, out var error), error);
        return plan;
    }

    [Theory]
    [InlineData("slow=abc", "slow needs a delay")]
    [InlineData("revoke-after=0", "revoke-after needs")]
    [InlineData("unavailable=2", "probability")]
    [InlineData("stall=api", "starting with '/'")]
    [InlineData("explode=1", "unknown Enphase fault 'explode'")]
    [InlineData("ignore-writes=1", "takes no value")]
    public void Bad_fault_text_names_the_problem(string text, string expected)
    {
        Assert.False(GatewayFaultPlan.TryParse([text], out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Fault_text_parses_into_the_plan()
    {
        var plan = Parse("slow=250@0.5,revoke-after=3,unavailable=0.1,stall=/api/v1/production|/ivp/pdm/device_data,cert-change-after=7,ignore-writes");
        Assert.Equal(250, plan.SlowMilliseconds);
        Assert.Equal(0.5, plan.SlowProbability);
        Assert.Equal(3, plan.RevokeAfterRequests);
        Assert.Equal(0.1, plan.UnavailableProbability);
        Assert.Equal(["/api/v1/production", "/ivp/pdm/device_data"], plan.StalledPaths);
        Assert.Equal(7, plan.CertificateChangeAfterRequests);
        Assert.True(plan.IgnoreTariffWrites);
    }

    [Fact]
    public async Task Slow_delays_every_answer_but_info()
    {
        // A long delay, so that /info answering well under it stays true on a loaded CI machine.
        await using var gateway = await GatewayFixture.StartAsync(5, Parse("slow=2000"));
        var client = gateway.Client();
        await client.GetStringAsync("/info");
        var watch = Stopwatch.StartNew();
        await client.GetStringAsync("/info");
        var info = watch.Elapsed;
        watch.Restart();
        await client.GetStringAsync("/production.json");
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(1990), $"slow answer took {watch.Elapsed}");
        Assert.True(info < TimeSpan.FromMilliseconds(1990), $"/info took {info}");
    }

    [Fact]
    public async Task Revoke_after_N_rejects_the_token_from_then_on()
    {
        await using var gateway = await GatewayFixture.StartAsync(7, Parse("revoke-after=2"));
        var client = gateway.OwnerClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/ivp/meters/readings")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/production.json")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/ivp/meters/readings")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/auth/check_jwt")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/info")).StatusCode);
        lock (gateway.Log) Assert.Contains(gateway.Log, l => l.Contains("reason=revoked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unavailable_answers_503_and_info_still_answers()
    {
        await using var gateway = await GatewayFixture.StartAsync(8, Parse("unavailable=1"));
        var client = gateway.OwnerClient();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/ivp/meters/readings")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/info")).StatusCode);
    }

    [Fact]
    public async Task A_stalled_endpoint_never_answers_while_the_others_do()
    {
        await using var gateway = await GatewayFixture.StartAsync(8, Parse("stall=/api/v1/production"));
        var impatient = gateway.Client(bearer: gateway.Server.Tokens.Mint("owner", TimeSpan.FromDays(1)), timeout: TimeSpan.FromSeconds(1));
        var stalled = impatient.GetAsync("/api/v1/production");
        var client = gateway.OwnerClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/ivp/meters/readings")).StatusCode);
        await Assert.ThrowsAsync<TaskCanceledException>(() => stalled);
    }

    [Fact]
    public async Task Certificate_changes_after_N_requests_and_a_pinned_client_refuses_it()
    {
        await using var gateway = await GatewayFixture.StartAsync(7, Parse("cert-change-after=2"));
        var first = gateway.Server.Certificate!.Fingerprint;
        var seen = new List<string>();
        var pinned = gateway.Client(pin: first, sawCertificate: seen.Add);
        Assert.Equal(HttpStatusCode.OK, (await pinned.GetAsync("/info")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await pinned.GetAsync("/info")).StatusCode);
        var second = gateway.Server.Certificate.Fingerprint;
        Assert.NotEqual(first, second);

        var fresh = gateway.Client(pin: first, sawCertificate: seen.Add);
        await Assert.ThrowsAsync<HttpRequestException>(() => fresh.GetAsync("/info"));
        Assert.Equal([first, second], seen.Distinct());
        lock (gateway.Log) Assert.Contains(gateway.Log, l => l == "CERTIFICATE changed fingerprint=" + second);
    }
}
