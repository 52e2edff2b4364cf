using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Nexwatt.Collector.Dispatch;
using Nexwatt.Collector.Tests.Ingest;

namespace Nexwatt.Collector.Tests.Dispatch;

/// <summary>The dispatch API's input checks (every problem listed at once) and its configuration checks.</summary>
public sealed class DispatchApiTests : IAsyncLifetime
{
    private CollectorServer _server = null!;

    public async Task InitializeAsync() => _server = await CollectorServer.StartAsync(new Dictionary<string, string?>
    {
        ["Dispatch:Resources:fleet-east:IsoZone"] = "PJM-DOM",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpContent content)
    {
        var response = await _server.Api.PostAsync("/v1/dispatch", content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static string[] Codes(JsonElement body) =>
        body.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("code").GetString()!).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task An_empty_instruction_lists_every_missing_field()
    {
        var (status, body) = await PostAsync(JsonContent.Create(new { }));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("rejected", body.GetProperty("status").GetString());
        Assert.Equal(["invalid_direction", "invalid_mw_requested", "invalid_resource_id", "invalid_window"], Codes(body));
    }

    [Fact]
    public async Task Every_bad_field_is_reported_together()
    {
        var (status, body) = await PostAsync(JsonContent.Create(new
        {
            resource_id = "nowhere", mw_requested = 0, direction = "sideways",
            window = new { start = DateTimeOffset.UtcNow.AddHours(1), end = DateTimeOffset.UtcNow.AddMinutes(30) },
        }));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(["invalid_direction", "invalid_mw_requested", "invalid_window.end", "unknown_resource"], Codes(body));
    }

    [Theory]
    [InlineData(-1.5)]
    [InlineData(0)]
    public async Task A_window_in_the_past_or_a_non_positive_duration_is_refused(double hoursFromNow)
    {
        object window = hoursFromNow < 0
            ? new { start = DateTimeOffset.UtcNow.AddHours(-2), end = DateTimeOffset.UtcNow.AddHours(hoursFromNow) }
            : new { duration_s = 0 };
        var (status, body) = await PostAsync(JsonContent.Create(new { resource_id = "PJM", mw_requested = 2, direction = "charge", window }));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal([hoursFromNow < 0 ? "invalid_window" : "invalid_window.duration_s"], Codes(body));
    }

    [Fact]
    public async Task Windows_are_bounded_around_now_and_mw_by_a_configured_maximum()
    {
        var now = DateTimeOffset.UtcNow;
        async Task<string[]> Refused(object window, double mw = 1)
        {
            var (status, body) = await PostAsync(JsonContent.Create(new { resource_id = "PJM", mw_requested = mw, direction = "discharge", window }));
            Assert.Equal(HttpStatusCode.BadRequest, status);
            return Codes(body);
        }

        // 1970 to an hour from now: too long and started too long ago, both said.
        Assert.Equal(["invalid_window.end", "invalid_window.start"], await Refused(new { start = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero), end = now.AddHours(1) }));
        Assert.Equal(["invalid_window.end"], await Refused(new { start = now, end = new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero) }));
        Assert.Equal(["invalid_window.start"], await Refused(new { start = now.AddDays(30), duration_s = 600 }));
        Assert.Equal(["invalid_window.start"], await Refused(new { start = now.AddHours(-2), end = now.AddHours(1) }));
        Assert.Equal(["invalid_window.start"], await Refused(new { start = "9999-12-31T23:59:00Z", duration_s = 600 }));
        Assert.Equal(["invalid_window.duration_s"], await Refused(new { duration_s = 8 * 86400 }));
        Assert.Equal(["invalid_mw_requested"], await Refused(new { duration_s = 600 }, 1e12));

        // A start a little in the past (an ISO clock a bit off) is still accepted.
        Assert.Equal(HttpStatusCode.Created, (await _server.Api.PostAsJsonAsync("/v1/dispatch",
            new { resource_id = "PJM", mw_requested = 1, direction = "discharge", window = new { start = now.AddMinutes(-5), duration_s = 600 } })).StatusCode);
    }

    [Fact]
    public async Task A_request_above_the_registered_capacity_is_answered_with_the_capacity_and_the_shortfall()
    {
        await _server.RegisterSiteWithAssetAsync("site-c", "bess-c", "bat-1", type: "battery");
        var created = await DispatchApi.PostAsync(_server, new { resource_id = "PJM", mw_requested = 5, direction = "discharge", window = new { duration_s = 600 } });

        Assert.Equal(0.01, created.GetProperty("registered_mw").GetDouble(), 9);
        Assert.True(created.GetProperty("shortfall_mw").GetDouble() >= 4.99);
        Assert.Contains("above the resource's registered capacity of 0.01 MW", created.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_and_unknown_fields_are_400s()
    {
        var (status, body) = await PostAsync(new StringContent("{\"resource_id\":", Encoding.UTF8, "application/json"));
        Assert.Equal((HttpStatusCode.BadRequest, "malformed_json"), (status, Codes(body).Single()));

        (status, body) = await PostAsync(JsonContent.Create(new { resource_id = "PJM", megawatts = 2 }));
        Assert.Equal((HttpStatusCode.BadRequest, "malformed_json"), (status, Codes(body).Single()));
    }

    [Fact]
    public async Task A_configured_resource_or_a_zone_name_with_no_assets_gives_a_full_shortfall()
    {
        foreach (var resource in new[] { "fleet-east", "CAISO" })
        {
            var created = await DispatchApi.PostAsync(_server, new { resource_id = resource, mw_requested = 2, direction = "curtail", window = new { duration_s = 600 } });
            Assert.Equal((0.0, 2.0), (created.GetProperty("expected_mw").GetDouble(), created.GetProperty("shortfall_mw").GetDouble()));
            Assert.Empty(created.GetProperty("assets").EnumerateArray());
            Assert.Equal(0, created.GetProperty("setpoints_issued").GetInt32());
        }
        Assert.Equal("PJM-DOM", (await DispatchApi.PostAsync(_server, new { resource_id = "fleet-east", mw_requested = 1, direction = "charge", window = new { duration_s = 60 } }))
            .GetProperty("iso_zone").GetString());
    }

    [Fact]
    public async Task The_api_needs_the_management_token_and_unknown_dispatches_are_404()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.Api.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/v1/dispatch", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Api.GetAsync("/v1/dispatch/d-missing")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Api.GetAsync("/v1/dispatch/d-missing/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Api.GetAsync("/v1/dispatch/d-missing/settlement")).StatusCode);
    }

    [Fact]
    public async Task The_signing_key_is_generated_once_private_and_its_public_half_published()
    {
        var keyFile = Path.Combine(_server.Directory, DispatchSigningKey.DefaultFileName);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Contains("BEGIN PRIVATE KEY", await File.ReadAllTextAsync(keyFile));
        using var published = DispatchApi.PublicKey(_server);
        Assert.Equal(256, published.KeySize);

        // The same data directory keeps the same key across a restart.
        var (directory, before) = (_server.Directory, Nexwatt.Protos.Signing.SetpointSignature.KeyId(published));
        var grpc = _server.GrpcPort;
        var api = _server.ApiPort;
        await using (var restarted = await RestartAsync(directory, grpc, api))
        {
            using var again = DispatchApi.PublicKey(restarted);
            Assert.Equal(before, Nexwatt.Protos.Signing.SetpointSignature.KeyId(again));
        }
    }

    private async Task<CollectorServer> RestartAsync(string directory, int grpc, int api)
    {
        await _server.DisposeAsyncKeepingDirectory();
        _server = await CollectorServer.StartAsync(directory: directory, grpc: grpc, api: api);
        return _server;
    }

    [Fact]
    public void Configuration_mistakes_are_reported_with_their_keys()
    {
        var options = new DispatchOptions
        {
            SigningKeyFile = "/nonexistent/key.pem",
            ConfirmTimeout = TimeSpan.Zero,
            CapacityPricePerMw = -1,
            Programs = { ["p"] = new ProgramOptions { ReservePct = 96, MaxSocPct = 95 } },
            Resources = { ["r"] = new ResourceOptions { IsoZone = "Atlantis" } },
        };
        var result = new DispatchOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Dispatch:SigningKeyFile", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Dispatch:ConfirmTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Dispatch:CapacityPricePerMw", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Dispatch:Programs:p", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Dispatch:Resources:r:IsoZone", StringComparison.Ordinal));
        Assert.Equal(ValidateOptionsResult.Success, new DispatchOptionsValidator().Validate(null, new DispatchOptions()));
    }
}
