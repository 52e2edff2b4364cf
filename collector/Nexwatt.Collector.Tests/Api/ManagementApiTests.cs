using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Tests.Ingest;

namespace Nexwatt.Collector.Tests.Api;

/// <summary>
/// The management API on the real host (Kestrel on loopback, SQLite): every refusal is a 4xx with a problem body
/// (application/problem+json) naming the problem, and the endpoints answer alike.
/// </summary>
public sealed class ManagementApiTests : IAsyncLifetime
{
    private CollectorServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await CollectorServer.StartAsync();
        var asset = await _server.Api.PostAsJsonAsync("/v1/assets/register", new
        {
            asset_id = "pv-1", type = "solar", inverter = "test", capacity_kw = 10, meter_id = "m-1", iso_zone = "PJM", telemetry_interval = 5,
        });
        Assert.Equal(HttpStatusCode.Created, asset.StatusCode);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static StringContent Json(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    /// <summary>Asserts a problem answer and returns its problems' (code, field) pairs.</summary>
    internal static async Task<List<(string Code, string? Field, string Message)>> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.False(string.IsNullOrEmpty(body.GetProperty("status").GetString()));
        var problems = body.GetProperty("problems").EnumerateArray()
            .Select(p => (p.GetProperty("code").GetString()!, p.GetProperty("field").GetString(), p.GetProperty("message").GetString()!)).ToList();
        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Item3)));
        return problems;
    }

    [Theory]
    [InlineData("measurement=999", "measurement")]
    [InlineData("measurement=-1", "measurement")]
    [InlineData("measurement=ActivePowerW,VoltageV", "measurement")]
    [InlineData("to=0001-01-01T00:00:00Z", "to")]
    [InlineData("from=0001-01-01T00:00:00Z&to=0001-01-01T01:00:00Z", "from")]
    [InlineData("to=9999-12-31T23:59:59Z", "to")]
    [InlineData("from=yesterday", "from")]
    [InlineData("measurement=ActivePowerW&measurement=VoltageV", "measurement")]
    [InlineData("measurment=VoltageV", "measurment")]
    [InlineData("from=2026-11-01T00:00:00Z&to=2026-11-30T00:00:00Z", "from")]
    public async Task Bad_interval_queries_are_400_problems_naming_the_parameter(string query, string field)
    {
        var problems = await ProblemAsync(await _server.Api.GetAsync($"/v1/assets/pv-1/intervals?{query}"), HttpStatusCode.BadRequest);
        Assert.Contains(problems, p => p.Field == field);
    }

    [Theory]
    [InlineData("/v1/assets/pv-1?fields=all")]
    [InlineData("/v1/assets/pv-1/latest?measurement=ActivePowerW")]
    [InlineData("/v1/fleet/totals?iso_zone=PJM")]
    [InlineData("/v1/sites/site-x?verbose=1")]
    [InlineData("/v1/enrollment/PJM.csv?zone=CAISO")]
    [InlineData("/v1/dispatch/d-1?x=1")]
    [InlineData("/v1/dispatch/d-1/events?since=3")]
    [InlineData("/v1/assets?iso_zone=PJM&include_retired=yes")]
    [InlineData("/v1/assets?iso_zone=PJM&iso_zone=CAISO")]
    public async Task Unknown_or_unreadable_query_parameters_are_refused_on_every_route(string path) =>
        await ProblemAsync(await _server.Api.GetAsync(path), HttpStatusCode.BadRequest);

    [Fact]
    public async Task Unicode_digits_in_telemetry_interval_are_a_400_not_a_500()
    {
        foreach (var interval in new[] { "\"\\u0665s\"", "\"\\u0661\\u0660\"", "\"\\uFF15s\"" })
        {
            var response = await _server.Api.PostAsync("/v1/assets/register", Json(
                $$"""{"asset_id":"pv-2","type":"solar","inverter":"x","capacity_kw":5,"meter_id":"m","iso_zone":"PJM","telemetry_interval":{{interval}}}"""));
            Assert.Contains(await ProblemAsync(response, HttpStatusCode.BadRequest), p => p.Field == "telemetry_interval");
        }
        Assert.Null(await _server.Store.GetAssetAsync("pv-2", CancellationToken.None));
    }

    [Theory]
    [InlineData("capacity_kw", "1e308")]
    [InlineData("capacity_kw", "1000001")]
    [InlineData("storage_kwh", "1e308")]
    public async Task Nameplates_are_bounded_so_that_fleet_sums_stay_finite(string field, string value)
    {
        var body = $$"""{"asset_id":"bess-x","type":"battery","inverter":"x","capacity_kw":10,"storage_kwh":20,"meter_id":"m","iso_zone":"PJM","telemetry_interval":5}"""
            .Replace($"\"{field}\":{(field == "capacity_kw" ? "10" : "20")}", $"\"{field}\":{value}", StringComparison.Ordinal);
        Assert.Contains(await ProblemAsync(await _server.Api.PostAsync("/v1/assets/register", Json(body)), HttpStatusCode.BadRequest), p => p.Field == field);
    }

    [Fact]
    public async Task A_dispatch_window_at_the_end_of_time_is_a_400_not_a_500()
    {
        var response = await _server.Api.PostAsJsonAsync("/v1/dispatch", new
        {
            resource_id = "PJM", mw_requested = 1, direction = "discharge", window = new { start = "9999-12-31T23:59:00Z", duration_s = 600 },
        });
        Assert.Contains(await ProblemAsync(response, HttpStatusCode.BadRequest), p => p.Field == "window.start");
    }

    [Theory]
    [InlineData(".site", "site_id")]
    [InlineData("-site", "site_id")]
    [InlineData("site/../x", "site_id")]
    [InlineData("sïte", "site_id")]
    public async Task Site_ids_follow_the_asset_id_rules(string siteId, string field)
    {
        var problems = await ProblemAsync(await _server.Api.PostAsJsonAsync("/v1/sites", new { site_id = siteId }), HttpStatusCode.BadRequest);
        Assert.Contains(problems, p => p.Field == field);
        Assert.Null(await _server.Store.GetSiteAsync(siteId, CancellationToken.None));
    }

    [Fact]
    public async Task Site_registration_has_the_body_limit_strict_json_and_problem_format_of_asset_registration()
    {
        var huge = new string('a', 10 * 1024 * 1024);
        Assert.Contains(await ProblemAsync(await _server.Api.PostAsync("/v1/sites", Json($$"""{"site_id":"{{huge}}"}""")), HttpStatusCode.BadRequest),
            p => p.Code == "body_too_large");
        var long65 = new string('a', 65);
        Assert.Contains(await ProblemAsync(await _server.Api.PostAsJsonAsync("/v1/sites", new { site_id = long65 }), HttpStatusCode.BadRequest),
            p => p.Field == "site_id");
        foreach (var body in new[] { "{\"site_id\":\"s-1\",\"extra\":1}", "{\"site_id\":", "{\"site_id\":5}", "[]", "null", "{\"site_id\":\"s-1\",\"issue_token\":\"yes\"}" })
            Assert.Contains(await ProblemAsync(await _server.Api.PostAsync("/v1/sites", Json(body)), HttpStatusCode.BadRequest), p => p.Code == "malformed_json");
        Assert.Equal("unsupported_media_type",
            (await ProblemAsync(await _server.Api.PostAsync("/v1/sites", Json("{\"site_id\":\"s-1\"}", "text/plain")), HttpStatusCode.UnsupportedMediaType))[0].Code);
        Assert.Null(await _server.Store.GetSiteAsync("s-1", CancellationToken.None));

        var created = await _server.Api.PostAsJsonAsync("/v1/sites", new { site_id = "s-1" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("application/json", created.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await _server.Api.PostAsJsonAsync("/v1/sites", new { site_id = "s-1" })).StatusCode);
    }

    [Theory]
    [InlineData("/v1/assets/register")]
    [InlineData("/v1/sites")]
    [InlineData("/v1/dispatch")]
    [InlineData("/v1/assets/pv-1/link")]
    public async Task Json_endpoints_refuse_other_content_types_with_415(string path)
    {
        foreach (var mediaType in new[] { "text/plain", "application/x-www-form-urlencoded", "application/xml" })
            await ProblemAsync(await _server.Api.PostAsync(path, Json("{}", mediaType)), HttpStatusCode.UnsupportedMediaType);
        var undeclared = new ByteArrayContent("{}"u8.ToArray());
        await ProblemAsync(await _server.Api.PostAsync(path, undeclared), HttpStatusCode.UnsupportedMediaType);
        var latin1 = new StringContent("{}", Encoding.Latin1, "application/json");
        await ProblemAsync(await _server.Api.PostAsync(path, latin1), HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Duplicate_json_keys_are_refused()
    {
        var response = await _server.Api.PatchAsync("/v1/assets/pv-1", Json("""{"capacity_kw":5,"capacity_kw":5000}"""));
        Assert.Contains(await ProblemAsync(response, HttpStatusCode.BadRequest), p => p.Code == "malformed_json");
        Assert.Equal(10, (await _server.Store.GetAssetAsync("pv-1", CancellationToken.None))!.CapacityKw);
        await ProblemAsync(await _server.Api.PostAsync("/v1/sites", Json("""{"site_id":"a","site_id":"b"}""")), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Unknown_assets_routes_and_tokens_answer_with_problem_bodies()
    {
        await ProblemAsync(await _server.Api.GetAsync("/v1/assets/nope/intervals"), HttpStatusCode.NotFound);
        await ProblemAsync(await _server.Api.GetAsync("/v1/assets/nope/latest"), HttpStatusCode.NotFound);
        await ProblemAsync(await _server.Api.GetAsync("/v1/sites/nope"), HttpStatusCode.NotFound);
        await ProblemAsync(await _server.Api.GetAsync("/v1/nothing-here"), HttpStatusCode.NotFound);
        await ProblemAsync(await _server.Api.DeleteAsync("/v1/assets/pv-1"), HttpStatusCode.MethodNotAllowed);
        using var anonymous = new HttpClient { BaseAddress = _server.Api.BaseAddress };
        await ProblemAsync(await anonymous.GetAsync("/v1/assets/pv-1"), HttpStatusCode.Unauthorized);
        // A stranger learns nothing about the body rules: 401 before 415.
        await ProblemAsync(await anonymous.PostAsync("/v1/sites", Json("x", "text/plain")), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_reading_from_the_future_is_stored_flagged_and_never_becomes_latest()
    {
        var token = await _server.RegisterSiteWithAssetAsync("site-f", "pv-f", "inv-1");
        var now = DateTimeOffset.UtcNow;
        var year2977 = new DateTimeOffset(2977, 6, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Single(await _server.UploadAsync(token, CollectorServer.Batch(null, "inv-1", 1, 1, 4000, now)));
        Assert.Single(await _server.UploadAsync(token, CollectorServer.Batch(null, "inv-1", 2, 1, 9000, year2977)));

        var latest = (await _server.Api.GetFromJsonAsync<JsonElement>("/v1/assets/pv-f/latest")).EnumerateArray().Single();
        Assert.Equal(4000, latest.GetProperty("value").GetDouble());
        var stored = await _server.Store.GetSamplesAsync("pv-f", Measurement.ActivePowerW, year2977.AddDays(-1), year2977.AddDays(1), CancellationToken.None);
        Assert.Equal((9000.0, QualityFlags.Future), (Assert.Single(stored).Value, stored[0].Flags));

        var pjm = (await _server.Api.GetFromJsonAsync<JsonElement>("/v1/fleet/totals")).EnumerateArray().Single(z => z.GetProperty("iso_zone").GetString() == "PJM");
        Assert.Equal(0.004, pjm.GetProperty("mw_now").GetDouble(), 9);
    }
}
