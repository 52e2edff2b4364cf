using System.Text.Json;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Registry;

namespace Nexwatt.Collector.Tests.Registry;

public class AssetRegistrationValidatorTests
{
    internal static AssetRegistrationRequest Valid(string assetId = "bess-001", string type = "battery", string zone = "CAISO-SP15", object? interval = null) =>
        new(assetId, type, "SIM-BAT", 250, 1000, "meter-9", zone, JsonSerializer.SerializeToElement(interval ?? 4));

    private static (ValidatedAsset? Asset, List<RegistrationProblem> Problems) Validate(AssetRegistrationRequest request)
    {
        var problems = new List<RegistrationProblem>();
        return (AssetRegistrationValidator.Validate(request, problems), problems);
    }

    [Fact]
    public void A_complete_registration_is_valid_and_parsed()
    {
        var (asset, problems) = Validate(Valid(zone: " caiso-sp15 "));
        Assert.Empty(problems);
        Assert.Equal(new ValidatedAsset("bess-001", AssetType.Battery, "SIM-BAT", 250, 1000, "meter-9", "CAISO-SP15", TimeSpan.FromSeconds(4)), asset);
    }

    [Fact]
    public void An_empty_registration_lists_every_missing_field_at_once()
    {
        var (asset, problems) = Validate(new AssetRegistrationRequest());
        Assert.Null(asset);
        Assert.Equal(["asset_id", "type", "capacity_kw", "iso_zone", "telemetry_interval"], problems.Select(p => p.Field));
        Assert.All(problems, p => Assert.Equal(RegistrationProblem.Error, p.Severity));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Capacity_must_be_above_zero(double capacity) =>
        Assert.Equal("capacity_kw", Assert.Single(Validate(Valid() with { CapacityKw = capacity }).Problems).Field);

    [Theory]
    [InlineData("battery", null, true)]
    [InlineData("battery", 0.0, true)]
    [InlineData("solar_plus_storage", null, true)]
    [InlineData("battery", -1.0, true)]
    [InlineData("solar", 10.0, true)]
    [InlineData("solar", null, false)]
    [InlineData("solar", 0.0, false)]
    [InlineData("battery", 13.5, false)]
    public void Storage_is_required_for_batteries_and_refused_for_solar(string type, double? storageKwh, bool problem)
    {
        var (_, problems) = Validate(Valid(type: type) with { StorageKwh = storageKwh });
        Assert.Equal(problem, problems.Any(p => p.Field == "storage_kwh"));
    }

    [Theory]
    [InlineData("pv", AssetType.Solar)]
    [InlineData("Solar", AssetType.Solar)]
    [InlineData("BESS", AssetType.Battery)]
    [InlineData("solar-plus-storage", AssetType.SolarPlusStorage)]
    [InlineData("hybrid", AssetType.SolarPlusStorage)]
    public void Types_accept_common_spellings(string type, AssetType expected) =>
        Assert.Equal(expected, Validate(Valid(type: type) with { StorageKwh = expected == AssetType.Solar ? null : 5 }).Asset!.Type);

    [Fact]
    public void An_unknown_type_is_named_in_the_problem() =>
        Assert.Contains("'wind'", Assert.Single(Validate(Valid(type: "wind")).Problems).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("a b")]
    [InlineData("-leading")]
    [InlineData("=cmd()")]
    [InlineData("ünicode")]
    [InlineData("x/y")]
    public void Ids_keep_to_a_safe_charset(string id)
    {
        Assert.Equal("asset_id", Assert.Single(Validate(Valid(assetId: id)).Problems).Field);
        Assert.Equal("meter_id", Assert.Single(Validate(Valid() with { MeterId = id }).Problems).Field);
    }

    [Fact]
    public void Ids_are_at_most_64_characters()
    {
        Assert.Empty(Validate(Valid(assetId: new string('a', 64))).Problems);
        Assert.Single(Validate(Valid(assetId: new string('a', 65))).Problems);
    }

    [Theory]
    [InlineData(5, 5.0)]
    [InlineData(1, 1.0)]
    [InlineData(3600, 3600.0)]
    [InlineData(2.5, 2.5)]
    [InlineData("5s", 5.0)]
    [InlineData("5 s", 5.0)]
    [InlineData("1m", 60.0)]
    [InlineData("5min", 300.0)]
    [InlineData("1h", 3600.0)]
    [InlineData("1500ms", 1.5)]
    [InlineData("00:00:05", 5.0)]
    [InlineData("01:00:00", 3600.0)]
    [InlineData("4", 4.0)]
    public void The_interval_is_seconds_or_a_duration_string(object interval, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Validate(Valid(interval: interval)).Asset!.TelemetryInterval);

    [Theory]
    [InlineData(0.5)]
    [InlineData(0)]
    [InlineData(-4)]
    [InlineData(3601)]
    [InlineData("500ms")]
    [InlineData("2h")]
    [InlineData("5x")]
    [InlineData("")]
    [InlineData("00:00:00")]
    [InlineData("five seconds")]
    [InlineData(true)]
    public void An_interval_outside_1_s_to_1_h_or_unreadable_is_refused(object interval) =>
        Assert.Equal("telemetry_interval", Assert.Single(Validate(Valid(interval: interval)).Problems).Field);

    [Fact]
    public void An_unknown_zone_lists_the_known_ones()
    {
        var problem = Assert.Single(Validate(Valid(zone: "AEMO")).Problems);
        Assert.Equal("iso_zone", problem.Field);
        Assert.Contains("CAISO, ERCOT, ISO-NE, MISO, NYISO, PJM, SPP", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compliance_gaps_are_not_input_errors()
    {
        // A 60 s battery in CAISO breaks the 4 s state-of-charge rule, yet the input is valid.
        Assert.Empty(Validate(Valid(interval: 60)).Problems);
    }
}
