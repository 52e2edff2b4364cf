using System.Text.Json;
using Nexwatt.Collector.Normalization;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Normalization;

/// <summary>The mapping table checked against the SunSpec model definitions we ship (the spec's JSON).</summary>
public class PointMappingTableTests
{
    private static readonly string Definitions = Path.Combine(RepoPaths.Root, "protocols", "Nexwatt.Protocols.SunSpec", "Definitions");

    [Fact]
    public void Every_row_names_points_that_exist_in_its_models_with_a_unit_of_the_measurements_dimension()
    {
        foreach (var row in PointMappingTable.Rows)
        {
            foreach (var model in row.ModelIds)
            {
                if (model == Nexwatt.Protos.CanonicalPoints.ModelId)
                {
                    // Canonical points have no SunSpec definition: the point is the measurement, in its canonical unit.
                    Assert.Equal(row.Measurement.ToString(), Assert.Single(row.Points));
                    Assert.True(UnitConversion.TryGetFactor(row.DeclaredUnit, "", row.Measurement, out var canonical) && canonical == 1,
                        $"canonical {row.Measurement} unit '{row.DeclaredUnit}' is not its measurement's unit");
                    continue;
                }
                var units = PointUnits(model);
                foreach (var point in row.Points)
                {
                    // A repeating group's path "module[*].DCW" is "module.DCW" in the definition.
                    var path = point.Replace("[*]", "", StringComparison.Ordinal);
                    Assert.True(units.TryGetValue(path, out var unit), $"model {model} has no point {path}");
                    Assert.True(UnitConversion.TryGetFactor(unit, "", row.Measurement, out var factor), $"model {model} {path} unit '{unit}' is not a {row.Measurement} unit");
                    Assert.Equal(1, factor);
                    Assert.True(UnitConversion.TryGetFactor(row.DeclaredUnit, "", row.Measurement, out _));
                }
            }
        }
    }

    [Fact]
    public void Every_row_keeps_the_export_positive_sign_and_cites_its_source()
    {
        // Every model we map already reports export / discharge positive (see the table's comments); a -1 row
        // would need its own source.
        Assert.All(PointMappingTable.Rows, row =>
        {
            Assert.Equal(1, row.Sign);
            Assert.False(string.IsNullOrWhiteSpace(row.Source));
        });
    }

    [Theory]
    [InlineData("module[*].DCW", "module[0].DCW", true)]
    [InlineData("module[*].DCW", "module[12].DCW", true)]
    [InlineData("module[*].DCW", "module[].DCW", false)]
    [InlineData("module[*].DCW", "module[a].DCW", false)]
    [InlineData("module[*].DCW", "module[1].DCV", false)]
    [InlineData("W", "W", true)]
    [InlineData("W", "WH", false)]
    public void Point_patterns_match_indexes_only(string pattern, string point, bool matches) =>
        Assert.Equal(matches, new PointMapping(Domain.Measurement.DcPowerW, [160], [pattern], "W", 1, "test").Matches(160, point));

    private static Dictionary<string, string?> PointUnits(int model)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Definitions, $"model_{model}.json")));
        var units = new Dictionary<string, string?>(StringComparer.Ordinal);
        Walk(json.RootElement.GetProperty("group"), "", units);
        return units;
    }

    private static void Walk(JsonElement group, string prefix, Dictionary<string, string?> units)
    {
        if (group.TryGetProperty("points", out var points))
        {
            foreach (var point in points.EnumerateArray())
            {
                units[prefix + point.GetProperty("name").GetString()] = point.TryGetProperty("units", out var u) ? u.GetString() : null;
            }
        }
        if (group.TryGetProperty("groups", out var groups))
        {
            foreach (var child in groups.EnumerateArray()) Walk(child, prefix + child.GetProperty("name").GetString() + ".", units);
        }
    }
}
