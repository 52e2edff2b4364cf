using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Polling.Enphase;
using Nexwatt.EdgeAgent.Tests.Buffer;
using Nexwatt.Protocols.Enphase;

namespace Nexwatt.EdgeAgent.Tests.Enphase;

/// <summary>Token lifecycle: near expiry, expired, renewal through a local fake of Enlighten and Entrez.</summary>
public sealed class TokenLifecycleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("enphase-token").FullName;

    private static string Jwt(DateTimeOffset exp, string user = "owner") =>
        $"{B64("{\"alg\":\"ES256\"}")}.{B64($"{{\"enphaseUser\":\"{user}\",\"exp\":{exp.ToUnixTimeSeconds()}}}")}.c2ln";

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private EnphaseDeviceSource Source(FakeGateway gateway, string token, ILogger logger, string? cloud = null)
    {
        var device = new DeviceOptions { Id = "envoy", Type = DeviceTypes.Enphase };
        device.Enphase.Url = gateway.Url;
        device.Enphase.PinFile = Path.Combine(_dir, "pin");
        device.Enphase.TokenFile = Path.Combine(_dir, "token");
        File.WriteAllText(device.Enphase.TokenFile, token);
        if (cloud is not null)
        {
            device.Enphase.EnlightenUser = "owner@example.com";
            device.Enphase.EnlightenPassword = "pw";
            device.Enphase.EnlightenLoginUrl = cloud + "/login/login.json";
            device.Enphase.EnlightenTokenUrl = cloud + "/tokens";
        }
        return new EnphaseDeviceSource(device, TimeProvider.System, logger, _dir);
    }

    [Fact]
    public async Task ATokenNearExpiry_IsUsedAndWarnedAbout()
    {
        var token = Jwt(DateTimeOffset.UtcNow.AddDays(10));
        await using var gateway = await FakeGateway.StartAsync("7.6.175_with_cts", https: true);
        gateway.Token = token;
        var log = new ListLogger();
        using var source = Source(gateway, token, log);
        await source.ReadAsync(CancellationToken.None);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Id.Id == 2702 && e.Message.Contains("expires within 30 days"));
    }

    [Fact]
    public async Task AnExpiredToken_IsLoggedAndRejectedByTheGateway()
    {
        var expired = Jwt(DateTimeOffset.UtcNow.AddDays(-1));
        await using var gateway = await FakeGateway.StartAsync("7.6.175_with_cts", https: true);
        gateway.Token = Jwt(DateTimeOffset.UtcNow.AddYears(1)); // the gateway accepts only a current token
        var log = new ListLogger();
        using var source = Source(gateway, expired, log);
        var error = await Assert.ThrowsAsync<EnphaseAuthException>(async () => await source.ReadAsync(CancellationToken.None));
        Assert.Equal("token rejected", error.Reason);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Id.Id == 2703);
    }

    [Fact]
    public async Task AnExpiredToken_IsRenewedThroughEnlighten_AndSavedToTheTokenFile()
    {
        var renewed = Jwt(DateTimeOffset.UtcNow.AddYears(1));
        await using var gateway = await FakeGateway.StartAsync("7.6.175_with_cts", https: true);
        gateway.Token = renewed;
        var calls = new List<string>();
        await using var cloud = await StartCloudAsync(renewed, calls);
        var log = new ListLogger();
        using var source = Source(gateway, Jwt(DateTimeOffset.UtcNow.AddDays(-1)), log, cloud.Url);
        var polled = await source.ReadAsync(CancellationToken.None);
        Assert.NotEmpty(polled.Readings);
        Assert.Equal(renewed, File.ReadAllText(Path.Combine(_dir, "token")));
        Assert.Equal(["login user[email]=owner@example.com", "tokens serial_num=122238082763 username=owner@example.com session=s-1"], calls);
        Assert.Contains(log.Entries, e => e.Id.Id == 2705);
    }

    private sealed record Cloud(WebApplication App, string Url) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    /// <summary>A local fake of Enlighten's login.json and Entrez's /tokens, as the community scripts describe them.</summary>
    private static async Task<Cloud> StartCloudAsync(string token, List<string> calls)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapPost("/login/login.json", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            lock (calls) calls.Add($"login user[email]={form["user[email]"]}");
            return form["user[password]"] == "pw" ? Results.Json(new { session_id = "s-1" }) : Results.Unauthorized();
        });
        app.MapPost("/tokens", async (HttpRequest request) =>
        {
            using var body = await System.Text.Json.JsonDocument.ParseAsync(request.Body);
            var r = body.RootElement;
            lock (calls) calls.Add($"tokens serial_num={r.GetProperty("serial_num")} username={r.GetProperty("username")} session={r.GetProperty("session_id")}");
            return Results.Text(token);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Cloud(app, address);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
