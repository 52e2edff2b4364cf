namespace Nexwatt.Protocols.RegisterMaps.Tests;

/// <summary>YAML maps: the same format and checks as JSON, and problems point at the YAML lines.</summary>
public sealed class YamlTests
{
    internal const string Battery = """
        name: test-battery
        source: written for the tests
        limits: { maxRegistersPerRead: 10, maxGap: 2 }
        points:
          - { name: model, address: 0, type: string, length: 4 }
          - name: power
            address: 10
            type: int32
            unit: W
            canonical: ActivePowerW
            sign: -1
            notAvailable: [0x7FFFFFFF]
          - { name: soc, address: 12, type: uint16, scale: 0.1, canonical: StateOfChargePct, notAvailable: [65535] }
        identification:
          - { point: model, startsWith: BAT }
        """;

    [Fact]
    public void A_YAML_map_reads_like_its_JSON_form()
    {
        var map = RegisterMapParser.ParseYaml("test.yaml", Battery, TestMaps.Units);
        var power = map.Get("power");
        Assert.Equal((PointType.Int32, -1, "ActivePowerW"), (power.Type, power.Sign, power.Canonical));
        Assert.Equal(new NotAvailableValue(0x7FFFFFFF, false), Assert.Single(power.NotAvailable)); // plain 0x7FFFFFFF stays a raw value
        Assert.Equal(0.1, map.Get("soc").Scale);
        Assert.Equal(10, map.Limits.MaxRegistersPerRead);
    }

    [Fact]
    public void A_mistake_in_YAML_points_at_the_YAML_line()
    {
        var problem = Assert.Single(Assert.Throws<RegisterMapException>(() =>
            RegisterMapParser.ParseYaml("test.yaml", Battery.Replace("type: int32", "type: int23"), TestMaps.Units)).Problems);
        Assert.Equal((8, 11), (problem.Line, problem.Column));
        Assert.Contains("'int23' is not one of", problem.Message);
    }

    [Fact]
    public void A_wrong_value_type_in_YAML_points_at_the_YAML_line()
    {
        var problem = Assert.Single(Assert.Throws<RegisterMapException>(() =>
            RegisterMapParser.ParseYaml("test.yaml", Battery.Replace("address: 10", "address: ten"), TestMaps.Units)).Problems);
        Assert.Equal("$.points[1].address", problem.Path);
        Assert.Equal(7, problem.Line);
    }

    [Fact]
    public void Broken_YAML_syntax_is_a_map_error_with_its_position()
    {
        var problem = Assert.Single(Assert.Throws<RegisterMapException>(() =>
            RegisterMapParser.ParseYaml("test.yaml", Battery.Replace("- { name: soc,", "- { name: soc"), TestMaps.Units)).Problems);
        Assert.True(problem.Line >= 13, problem.ToString());
    }
}
