using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Enphase;

/// <summary>
/// An in-test Kestrel serving one folder of the shared Enphase captures with their HTTP codes: HTTPS with a fresh
/// self-signed certificate and a bearer check for firmware 7+, plain HTTP with Digest (checked here with its own MD5)
/// on the inverter path below 7.
/// </summary>
internal sealed class FakeGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    public string Url { get; }
    public string Token { get; set; } = "";
    public bool TokenRevoked { get; set; }
    public string DigestPassword { get; set; } = "";
    public int Requests;

    /// <summary>The gateway's tariff document as it holds it now (null until first read from the capture).</summary>
    public byte[]? Tariff { get; set; }

    /// <summary>Accept tariff PUTs with 200 but keep the old document, as 8.2.42xx+ firmware is reported to do.</summary>
    public bool IgnoreTariffWrites { get; set; }

    /// <summary>A path that hangs (as device_data does at night) until the client gives up.</summary>
    public string? StallPath { get; set; }

    private FakeGateway(WebApplication app, string url) { _app = app; Url = url; }

    public static async Task<FakeGateway> StartAsync(string folder, bool https, X509Certificate2? certificate = null)
    {
        var directory = Path.Combine(RepoPaths.SharedReference, "enphase", "fixtures", folder);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var cert = certificate ?? (https ? SelfSigned() : null);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => { if (cert is not null) l.UseHttps(cert); }));
        var app = builder.Build();
        FakeGateway? gateway = null;
        app.Run(async context =>
        {
            Interlocked.Increment(ref gateway!.Requests);
            var path = context.Request.Path.Value! + context.Request.QueryString.Value;
            var file = path.TrimStart('/').Replace('/', '_').Replace('?', '_').Replace('=', '_').Replace('&', '_');
            if (path == gateway.StallPath)
            {
                await Task.Delay(TimeSpan.FromMinutes(2), context.RequestAborted);
                return;
            }
            if (path == "/auth/check_jwt")
            {
                var ok = https && !gateway.TokenRevoked && context.Request.Headers.Authorization == $"Bearer {gateway.Token}";
                context.Response.StatusCode = ok ? 200 : 401;
                await context.Response.WriteAsync(ok ? "<!DOCTYPE html><h2>Valid token.</h2>" : "<html><head><title>401 Authorization Required</title></head></html>");
                return;
            }
            if (path != "/info" && https && (gateway.TokenRevoked || context.Request.Headers.Authorization != $"Bearer {gateway.Token}"))
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsync("<html><head><title>401 Authorization Required</title></head></html>");
                return;
            }
            if (!https && path == "/api/v1/production/inverters" && !gateway.DigestOk(context.Request))
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "Digest qop=\"auth\", realm=\"enphaseenergy.com\", nonce=\"Kz8MZRV4a9h25Ea4+ikZbKDannY=\"";
                return;
            }
            if (path == "/admin/lib/tariff")
            {
                gateway.Tariff ??= await File.ReadAllBytesAsync(Path.Combine(directory, "admin_lib_tariff"));
                if (HttpMethods.IsPut(context.Request.Method))
                {
                    using var copy = new MemoryStream();
                    await context.Request.Body.CopyToAsync(copy);
                    if (!gateway.IgnoreTariffWrites) gateway.Tariff = copy.ToArray();
                    return;
                }
                await context.Response.Body.WriteAsync(gateway.Tariff);
                return;
            }
            var body = Path.Combine(directory, file);
            if (!File.Exists(body)) { context.Response.StatusCode = 404; await context.Response.WriteAsync("{\"error\":\"404 - Not Found\"}"); return; }
            var log = body + "_log.json";
            context.Response.StatusCode = File.Exists(log) && JsonDocument.Parse(File.ReadAllBytes(log)).RootElement.TryGetProperty("code", out var code) ? code.GetInt32() : 200;
            await context.Response.Body.WriteAsync(await File.ReadAllBytesAsync(body));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().Replace("127.0.0.1", "localhost");
        gateway = new FakeGateway(app, new Uri(address).GetLeftPart(UriPartial.Authority));
        return gateway;
    }

    public static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=envoy.local", key, HashAlgorithmName.SHA256);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    private bool DigestOk(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Digest ", StringComparison.Ordinal)) return false;
        string Field(string name) => System.Text.RegularExpressions.Regex.Match(header, name + "=\"?([^\",]+)\"?").Groups[1].Value;
        static string Md5(string s) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s)));
        var ha1 = Md5($"{Field("username")}:enphaseenergy.com:{DigestPassword}");
        var ha2 = Md5($"{request.Method}:{Field("uri")}");
        return Field("response") == Md5($"{ha1}:{Field("nonce")}:{Field("nc")}:{Field("cnonce")}:auth:{ha2}");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
