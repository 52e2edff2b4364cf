using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Registry;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Registry;

/// <summary>
/// The routes on a real Kestrel bound to 127.0.0.1:0, with a "management" policy that lets every call through
/// (the host's bearer-token policy is the lead's, and tested there).
/// </summary>
public sealed class RegistryEndpointsTests : IAsyncLifetime
{
    private readonly InMemoryAssetStore _store = new();
    private WebApplication? _app;
    private HttpClient? _http;

    private HttpClient Http => _http!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ICollectorStore>(_store);
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        builder.Services.AddAssetRegistry();
        builder.Services.AddAuthorization(o => o.AddPolicy("management", p => p.RequireAssertion(_ => true)));
        _app = builder.Build();
        _app.UseAuthorization();
        _app.MapRegistry();
        await _app.StartAsync().ConfigureAwait(false);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address) };
        _store.AddSite("site-1");
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string? json = null) =>
        Http.SendAsync(new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") });

    private static async Task<JsonElement> Body(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false)).RootElement;

    private const string Battery = """
        {"asset_id":"bess-001","type":"battery","inverter":"SIM-BAT","capacity_kw":250,"storage_kwh":1000,
         "meter_id":"meter-9","iso_zone":"CAISO-SP15","telemetry_interval":"5s"}
        """;

    [Fact]
    public async Task Register_answers_201_then_200_with_the_compliance_verdict()
    {
        var created = await Send(HttpMethod.Post, "/v1/assets/register", Battery);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await Body(created);
        Assert.Equal(("registered", false, false), (body.GetProperty("status").GetString(), body.GetProperty("telemetry_validated").GetBoolean(), body.GetProperty("iso_compliant").GetBoolean()));
        Assert.Contains("CAISO-SOC-4S", body.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("code").GetString()));

        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/v1/assets/register", Battery)).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{not json")]
    [InlineData("{\"capacity_kw\":\"big\"}")]
    [InlineData("null")]
    public async Task Malformed_json_is_400_with_a_problem_never_500(string json)
    {
        foreach (var (method, path) in new[] { (HttpMethod.Post, "/v1/assets/register"), (HttpMethod.Patch, "/v1/assets/bess-001"), (HttpMethod.Post, "/v1/assets/bess-001/link") })
        {
            var response = await Send(method, path, json);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var body = await Body(response);
            Assert.Equal("rejected", body.GetProperty("status").GetString());
            Assert.Equal("malformed_json", body.GetProperty("problems")[0].GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task Read_update_link_retire_list_and_export_answer_with_their_status_codes()
    {
        await Send(HttpMethod.Post, "/v1/assets/register", Battery);

        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, "/v1/assets/bess-001")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/v1/assets/nope")).StatusCode);

        var patched = await Send(HttpMethod.Patch, "/v1/assets/bess-001", """{"telemetry_interval":4}""");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.True((await Body(patched)).GetProperty("telemetry_validated").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(HttpMethod.Patch, "/v1/assets/bess-001", """{"capacity_kw":-1}""")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/v1/assets/bess-001/link", """{"site_id":"site-1","device_id":"bat-1"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(HttpMethod.Post, "/v1/assets/bess-001/link", """{"site_id":"site-x","device_id":"bat-1"}""")).StatusCode);

        var list = await Body(await Send(HttpMethod.Get, "/v1/assets?iso_zone=CAISO"));
        Assert.Equal("bess-001", list[0].GetProperty("asset_id").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(HttpMethod.Get, "/v1/assets?iso_zone=NEM")).StatusCode);

        var csv = await Send(HttpMethod.Get, "/v1/enrollment/CAISO.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("asset_id,type,", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(HttpMethod.Get, "/v1/enrollment/NEM.csv")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/v1/assets/bess-001/retire")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Patch, "/v1/assets/bess-001", "{}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Post, "/v1/assets/nope/retire")).StatusCode);
    }
}
