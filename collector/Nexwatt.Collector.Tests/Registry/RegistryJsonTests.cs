using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Nexwatt.Collector.Registry;

namespace Nexwatt.Collector.Tests.Registry;

public class RegistryJsonTests
{
    private static (AssetRegistrationRequest? Value, RegistrationProblem? Problem) Parse(string json) =>
        RegistryJson.Parse<AssetRegistrationRequest>(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void The_issue_example_reads_with_snake_case_names()
    {
        var (request, problem) = Parse("""
            {"asset_id":"bess-001","type":"battery","inverter":"SIM-BAT","capacity_kw":250,"storage_kwh":1000,
             "meter_id":"meter-9","iso_zone":"CAISO-SP15","telemetry_interval":"4s"}
            """);
        Assert.Null(problem);
        Assert.Equal(("bess-001", "battery", 250.0, 1000.0, "meter-9", "CAISO-SP15", "4s"),
            (request!.AssetId, request.Type, request.CapacityKw!.Value, request.StorageKwh!.Value, request.MeterId, request.IsoZone, request.TelemetryInterval!.Value.GetString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"capacity_kw\":\"lots\"}")]
    [InlineData("{\"capacty_kw\":5}")]
    [InlineData("{\"asset_id\":5}")]
    [InlineData("{\"asset_id\":\"a\"} trailing")]
    public void Malformed_bodies_become_a_problem_not_an_exception(string json)
    {
        var (request, problem) = Parse(json);
        Assert.Null(request);
        Assert.Equal(("error", "malformed_json"), (problem!.Severity, problem.Code));
    }

    [Fact]
    public async Task A_body_beyond_the_limit_is_refused_before_parsing()
    {
        var body = new MemoryStream(new byte[RegistryJson.MaximumBodyBytes + 1]);
        var (value, problem) = await RegistryJson.ReadAsync<AssetRegistrationRequest>(body, CancellationToken.None);
        Assert.Null(value);
        Assert.Contains("larger than", problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_never_escape_as_an_exception()
    {
        Prop.ForAll<byte[]>(bytes =>
        {
            var (value, problem) = RegistryJson.Parse<AssetRegistrationRequest>(bytes ?? []);
            return (value is null) != (problem is null);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Answers_are_written_in_snake_case()
    {
        var json = JsonSerializer.Serialize(new AssetRegistrationResponse("registered", "a-1", true, false,
            [new RegistrationProblem("error", "CAISO-SOC-4S", "telemetry_interval", "m", "[C1]", "https://x")]), RegistryJson.Options);
        Assert.Equal("""{"status":"registered","asset_id":"a-1","telemetry_validated":true,"iso_compliant":false,"problems":[{"severity":"error","code":"CAISO-SOC-4S","field":"telemetry_interval","message":"m","source":"[C1]","url":"https://x"}]}""", json);
    }
}
