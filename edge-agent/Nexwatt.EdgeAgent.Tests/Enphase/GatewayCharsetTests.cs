using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Polling.Enphase;

namespace Nexwatt.EdgeAgent.Tests.Enphase;

/// <summary>Gateways that declare <c>charset=ISO-8859-4</c>, a charset .NET does not ship.</summary>
public sealed class GatewayCharsetTests
{
    private const string Charset = "application/json; charset=ISO-8859-4";

    [Fact]
    public async Task AsciiJson_WithIso8859_4_IsReadAsIs()
    {
        var body = """{"tariff":{"storage_settings":{"mode":"self-consumption","reserved_soc":20.0}}}"""u8.ToArray();
        await using var app = await ServeAsync(body);
        using var client = new GatewayClient(new Uri(Url(app)), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), pin: null);

        var response = await client.GetAsync("/admin/lib/tariff", CancellationToken.None);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(body, response.Body);
        using var json = JsonDocument.Parse(response.Body);
        Assert.Equal("self-consumption", json.RootElement.GetProperty("tariff").GetProperty("storage_settings").GetProperty("mode").GetString());
    }

    [Fact]
    public async Task StringReading_RefusesThatCharset_WhichIsWhyTheClientReadsBytes()
    {
        await using var app = await ServeAsync("{}"u8.ToArray());
        using var http = new HttpClient { BaseAddress = new Uri(Url(app)) };
        using var response = await http.GetAsync("/admin/lib/tariff");
        await Assert.ThrowsAsync<InvalidOperationException>(() => response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task NonUtf8Bytes_AreTakenAsLatin1_AndReachTheJsonDecoderAsUtf8()
    {
        // An ISO-8859-4 gateway sends one byte per character: 0xE9 is 'é' there and in Latin-1, invalid alone in UTF-8.
        byte[] body = [.. """{"name":"Caf"""u8, 0xE9, .. "\"}"u8];
        await using var app = await ServeAsync(body);
        using var client = new GatewayClient(new Uri(Url(app)), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), pin: null);

        var response = await client.GetAsync("/info", CancellationToken.None);

        using var json = JsonDocument.Parse(response.Body);
        Assert.Equal("Café", json.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public void ResponseText_KeepsValidUtf8_AndNeverLosesAByte()
    {
        var utf8 = "{\"name\":\"Café\"}"u8.ToArray();
        Assert.Same(utf8, ResponseText.AsUtf8(utf8));
        var latin1 = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
        Assert.Equal(latin1, System.Text.Encoding.Latin1.GetBytes(System.Text.Encoding.UTF8.GetString(ResponseText.AsUtf8(latin1))));
    }

    private static string Url(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    private static async Task<WebApplication> ServeAsync(byte[] body)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.ContentType = Charset;
            await context.Response.Body.WriteAsync(body);
        });
        await app.StartAsync();
        return app;
    }
}
