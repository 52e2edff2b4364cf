using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Nexwatt.Collector.Tests.Ingest;
using Nexwatt.Data.Sqlite;
using Xunit.Abstractions;

namespace Nexwatt.Collector.Tests.Api;

/// <summary>
/// Every management endpoint on the real host (Kestrel on 127.0.0.1, SQLite) against generated requests: wrong types,
/// huge and Unicode values, deep nesting, duplicate keys, junk bytes, every content type, query strings and headers.
/// Whatever comes, the answer is never a 5xx, every refusal is an application/problem+json body with problems, and a
/// refused request leaves every table the API writes exactly as it was.
/// </summary>
public sealed class ManagementApiPropertyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private CollectorServer _server = null!;
    private SqliteDatabase _db = null!;

    public sealed record ApiRequest(string Method, string Path, string? Body, string? ContentType, string Authorization, (string Name, string Value)[] Headers)
    {
        public override string ToString() =>
            $"{Method} {Show(Path)} [{ContentType ?? "no content type"}] auth={Show(Authorization)} headers=[{string.Join(", ", Headers.Select(h => h.Name + ": " + Show(h.Value)))}] body={(Body is null ? "none" : Show(Body))}";

        private static string Show(string text) => text.Length <= 300 ? text : $"{text[..300]}... ({text.Length} chars)";
    }

    public async Task InitializeAsync()
    {
        _server = await CollectorServer.StartAsync();
        var ok = await _server.Api.PostAsync("/v1/assets/register", new StringContent(
            """{"asset_id":"pv-1","type":"solar","inverter":"x","capacity_kw":10,"meter_id":"m-1","iso_zone":"PJM","telemetry_interval":5}""",
            Encoding.UTF8, "application/json"));
        Assert.True(ok.IsSuccessStatusCode, await ok.Content.ReadAsStringAsync());
        Assert.True((await _server.Api.PostAsync("/v1/sites", new StringContent("""{"site_id":"site-1"}""", Encoding.UTF8, "application/json"))).IsSuccessStatusCode);
        _db = SqliteDatabase.Open(Path.Combine(_server.Directory, "collector.db"), readOnly: true);
    }

    public async Task DisposeAsync()
    {
        _db.Dispose();
        await _server.DisposeAsync();
    }

    // ---- generators ----

    private static readonly string[] Fields =
    [
        "site_id", "asset_id", "type", "inverter", "capacity_kw", "storage_kwh", "meter_id", "iso_zone", "telemetry_interval", "program",
        "device_id", "issue_token", "certificate_subject", "resource_id", "mw_requested", "direction", "window", "start", "end", "duration_s",
        "extra", "", "Site_Id", "\u0665", "a\u0000b",
    ];

    private static readonly Gen<string> Texts = Gen.OneOf(
        Gen.Elements("", " ", "pv-1", "site-1", "PJM", "CAISO-SP15", "battery", "solar", "discharge", "charge", "curtail", "5s", "\u0665s", "\uFF15s",
            "00:00:05", "1e400", "-1", "999", "NaN", "Infinity", "9999-12-31T23:59:00Z", "0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z",
            ".hidden", "-dash", "a/b", "..", "ñandú", "\U0001F50B", "\u202Eevil", "\r\n", "\\", "\"", "null", "true", "{}", "[]"),
        Gen.Choose(0, 5).SelectMany(n => Gen.Elements('a', 'Z', '0', '-', '.', '_', 'é', '\u0665', '\u4E2D', ' ').ArrayOf(n)).Select(c => new string(c)),
        Gen.Frequency((8, Gen.Elements(65, 300)), (1, Gen.Constant(70_000))).Select(n => new string('x', n)));

    private static readonly Gen<string> Numbers = Gen.Elements("0", "-0", "1", "-1", "0.5", "10", "1e12", "1e308", "-1e308", "1e400", "123456789012345678901234567890",
        "5", "3600", "604801", "0.0000001", "1E3", "01", "+1", ".5", "NaN");

    private static Gen<string> JsonValue(int depth) => depth <= 0
        ? Gen.OneOf(Texts.Select(Quote), Numbers, Gen.Elements("true", "false", "null"))
        : Gen.Frequency(
            (4, JsonValue(0)),
            (2, JsonObject(depth - 1)),
            (1, JsonValue(depth - 1).ListOf().Select(items => "[" + string.Join(",", items.Take(8)) + "]")));

    private static Gen<string> JsonObject(int depth) =>
        from count in Gen.Choose(0, 7)
        from names in Gen.Elements(Fields).ArrayOf(count)
        from values in JsonValue(depth).ArrayOf(count)
        select "{" + string.Join(",", names.Zip(values, (n, v) => Quote(n) + ":" + v)) + "}";

    // Near misses of valid bodies: one field changed, so that the checks past parsing run too.
    private static readonly Gen<string> NearMisses =
        from template in Gen.Elements(
            new Dictionary<string, string> { ["asset_id"] = "\"pv-9\"", ["type"] = "\"solar\"", ["inverter"] = "\"x\"", ["capacity_kw"] = "10", ["meter_id"] = "\"m\"", ["iso_zone"] = "\"PJM\"", ["telemetry_interval"] = "5" },
            // resource_id always unknown: a generated dispatch is never valid, so nothing runs in the background.
            new Dictionary<string, string> { ["resource_id"] = "\"nowhere\"", ["mw_requested"] = "1", ["direction"] = "\"discharge\"", ["window"] = "{\"duration_s\":600}" },
            new Dictionary<string, string> { ["site_id"] = "\"site-9\"" },
            new Dictionary<string, string> { ["site_id"] = "\"site-1\"", ["device_id"] = "\"inv-1\"" })
        from field in Gen.Elements(Fields)
        from value in JsonValue(2)
        from duplicate in Gen.Elements(false, false, true)
        select "{" + string.Join(",", template.Where(p => p.Key != field).Select(p => Quote(p.Key) + ":" + p.Value)
            .Append(Quote(field) + ":" + value).Concat(duplicate ? [Quote(field) + ":" + value] : Array.Empty<string>())) + "}";

    private static readonly Gen<string?> Bodies = Gen.Frequency(
        (2, Gen.Constant<string?>(null)),
        (4, JsonObject(3).Select(b => (string?)b)),
        (4, NearMisses.Select(b => (string?)b)),
        (1, JsonValue(2).Select(b => (string?)b)),
        (1, Gen.Elements<string?>("{", "{\"site_id\":", "\uFEFF{}", "{}{}", "{'a':1}", "\u0000", "[1,2", "{\"a\":1,}", "--",
            "{\"site_id\":\"" + new string('s', 1_100_000) + "\"}",
            new string('[', 200) + new string(']', 200), string.Concat(Enumerable.Repeat("{\"window\":", 100)) + "1" + new string('}', 100))));

    private static readonly Gen<string?> ContentTypes = Gen.Frequency(
        (6, Gen.Constant<string?>("application/json")),
        (1, Gen.Elements<string?>(null, "application/json; charset=utf-8", "text/plain", "application/problem+json", "application/json; charset=latin1",
            "multipart/form-data; boundary=x", "application/JSON", "application/x-www-form-urlencoded", "application/json; charset=\"utf-16\"", "*/*", "json", ";;")));

    private static readonly Gen<string> Segments = Gen.OneOf(
        Gen.Elements("pv-1", "site-1", "nope", "d-missing", "PJM", "CAISO", "NEM", "..", ".", "%00", "%2F", "a%20b", "ñ", "\U0001F50B", "999"),
        Gen.Elements(80, 2000).Select(n => new string('a', n)));

    private static readonly Gen<string> QueryKeys = Gen.Elements("measurement", "from", "to", "format", "iso_zone", "include_retired", "x", "", "ñ", "measurement[]");

    private static readonly Gen<string> QueryValues = Gen.OneOf(Texts.Where(t => t.Length < 3000), Numbers,
        Gen.Elements("ActivePowerW", "StateOfChargePct", "activepowerw", "ActivePowerW,VoltageV", "json", "csv", "true", "yes", "2026-12-04T10:00:00Z"));

    private static readonly Gen<string> Queries =
        from count in Gen.Frequency((2, Gen.Constant(0)), (3, Gen.Choose(1, 4)))
        from keys in QueryKeys.ArrayOf(count)
        from values in QueryValues.ArrayOf(count)
        select count == 0 ? "" : "?" + string.Join("&", keys.Zip(values, (k, v) => Uri.EscapeDataString(k) + "=" + Uri.EscapeDataString(v)));

    private static readonly Gen<string> Routes =
        from segment in Segments.Select(Uri.EscapeDataString)
        from route in Gen.Elements(
            "POST /v1/sites", "GET /v1/sites/{id}", "POST /v1/assets/register", "GET /v1/assets/{id}", "GET /v1/assets", "PATCH /v1/assets/{id}",
            "POST /v1/assets/{id}/retire", "POST /v1/assets/{id}/link", "GET /v1/enrollment/{id}.csv", "GET /v1/assets/{id}/latest",
            "GET /v1/assets/{id}/intervals", "GET /v1/fleet/totals", "POST /v1/dispatch", "GET /v1/dispatch/{id}", "GET /v1/dispatch/{id}/events",
            "GET /v1/dispatch/{id}/settlement", "PUT /v1/sites", "DELETE /v1/assets/{id}", "POST /v1/fleet/totals", "GET /v1/{id}")
        select route.Replace("{id}", segment, StringComparison.Ordinal);

    private static readonly Gen<string> Authorizations = Gen.Frequency(
        (8, Gen.Constant("Bearer " + CollectorServer.AdminToken)),
        (1, Gen.Elements("", "Bearer", "Bearer wrong", "Basic dGVzdDp0ZXN0", "bearer " + CollectorServer.AdminToken, "Bearer " + new string('x', 3000),
            "Bearer " + CollectorServer.AdminToken + " extra")));

    // Framing headers (Transfer-Encoding beside Content-Length) are left out: Kestrel refuses those itself, before any
    // middleware, with an empty 400 (request smuggling defence), and the connection is closed.
    private static readonly Gen<(string, string)[]> Headers =
        Gen.Elements(("Accept", "text/csv"), ("Accept", "application/xml"), ("X-Forwarded-For", "10.0.0.1"), ("Content-Encoding", "gzip"),
            ("X-Custom", new string('y', 2000)), ("Accept-Charset", "latin1"), ("X-Dup", "1"), ("X-Dup", "2"),
            ("Accept", "*/*")).ArrayOf().Select(h => h.Take(4).ToArray());

    private static readonly Arbitrary<ApiRequest> Requests = (
        from route in Routes
        from query in Queries
        from body in Bodies
        from contentType in ContentTypes
        from authorization in Authorizations
        from headers in Headers
        let parts = route.Split(' ', 2)
        select new ApiRequest(parts[0], parts[1] + query, body, contentType, authorization, headers)).ToArbitrary();

    private static string Quote(string text) => JsonSerializer.Serialize(text);

    // ---- the property ----

    // About 10 s on the 2-core machine.
    private const int Cases = 1500;

    [Fact]
    public void No_request_gives_a_5xx_every_refusal_is_a_problem_and_stores_nothing()
    {
        var watch = Stopwatch.StartNew();
        var statuses = new Dictionary<int, int>();
        Prop.ForAll(Requests, request =>
        {
            var before = Snapshot();
            var (status, contentType, text) = SendAsync(request).GetAwaiter().GetResult();
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status < 500, $"{status} for {request}: {text}");
            if (status < 400) return;
            Assert.True(contentType == "application/problem+json", $"{status} {contentType} for {request}: {text}");
            using var problem = JsonDocument.Parse(text);
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("status").GetString()));
            Assert.NotEqual(0, problem.RootElement.GetProperty("problems").GetArrayLength());
            Assert.True(before == Snapshot(), $"{status} for {request} changed the store");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(Cases));
        output.WriteLine($"{Cases} requests in {watch.Elapsed.TotalSeconds:0.0} s; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}x{s.Value}"))}");
        // The run must have reached past the gates: accepted, refused as invalid, unauthenticated, unsupported, unknown.
        Assert.True(new[] { 400, 401, 404, 415 }.All(statuses.ContainsKey) && statuses.Keys.Any(s => s < 300), string.Join(",", statuses.Keys));
    }

    private async Task<(int Status, string? ContentType, string Text)> SendAsync(ApiRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body));
            if (request.ContentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }
        else if (request.ContentType is not null && request.Method != "GET")
        {
            message.Content = new ByteArrayContent([]);
            message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }
        message.Headers.Authorization = null;
        if (request.Authorization.Length > 0) message.Headers.TryAddWithoutValidation("Authorization", request.Authorization);
        foreach (var (name, value) in request.Headers)
            if (name != "Content-Encoding" || message.Content is null) message.Headers.TryAddWithoutValidation(name, value);
            else message.Content.Headers.TryAddWithoutValidation(name, value);
        using var http = new HttpClient { BaseAddress = _server.Api.BaseAddress };
        using var response = await http.SendAsync(message);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    // Everything the management API writes, row by row (the interval worker's tables are left out: it runs on its own).
    private string Snapshot()
    {
        var text = new StringBuilder();
        foreach (var table in new[] { "sites", "assets", "dispatches", "allocation_spans", "setpoints", "dispatch_events" })
        {
            var columns = new List<string>();
            using (var info = _db.Prepare($"SELECT name FROM pragma_table_info('{table}')"))
                while (info.Step()) columns.Add("quote(" + info.Text(0) + ")");
            using var rows = _db.Prepare($"SELECT {string.Join(" || ',' || ", columns)} FROM {table} ORDER BY 1");
            text.Append(table).Append(':');
            while (rows.Step()) text.Append(rows.Text(0)).Append(';');
        }
        return text.ToString();
    }
}
