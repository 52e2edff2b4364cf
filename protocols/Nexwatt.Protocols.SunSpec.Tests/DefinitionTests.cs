using System.Text.Json.Nodes;
using Nexwatt.Protocols.SunSpec.Tests.Support;

namespace Nexwatt.Protocols.SunSpec.Tests;

/// <summary>Oracle (a): every shipped definition carries exactly the facts of the official SunSpec JSON.</summary>
public sealed class DefinitionTests
{
    private static readonly HashSet<string> Prose = ["desc", "detail", "notes", "comments", "standards"];

    public static TheoryData<int> ShippedIds() => new(Reference.ShippedModelIds.Select(i => (int)i));

    [Theory]
    [MemberData(nameof(ShippedIds))]
    public void Shipped_json_equals_the_official_facts(int id)
    {
        var official = JsonNode.Parse(File.ReadAllText(Path.Combine(Reference.Models, $"model_{id}.json")))!;
        var shipped = JsonNode.Parse(File.ReadAllText(Path.Combine(Reference.ShippedDefinitions, $"model_{id}.json")))!;
        var expected = Facts(official, level: "model");
        Assert.True(JsonNode.DeepEquals(expected, shipped),
            $"model_{id}.json drifted from the official definition; run python3 tools/sunspec/extract-model-facts.py\nexpected: {expected.ToJsonString()}\nshipped:  {shipped.ToJsonString()}");
    }

    [Theory]
    [MemberData(nameof(ShippedIds))]
    public void Shipped_definition_parses_like_the_official_one(int id)
    {
        var official = Reference.Official.Get((ushort)id);
        var shipped = SunSpecModelCatalog.LoadBuiltIn().Get((ushort)id);
        Assert.Equal(official.Id, shipped.Id);
        Assert.Equal(official.FixedLength, shipped.FixedLength);
        AssertGroupEqual(official.Group, shipped.Group, official.Name);
    }

    [Fact]
    public void Shipped_definitions_carry_no_prose()
    {
        foreach (var file in Directory.EnumerateFiles(Reference.ShippedDefinitions, "*.json"))
        {
            var text = File.ReadAllText(file);
            foreach (var key in Prose)
                Assert.DoesNotContain($"\"{key}\"", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Built_in_catalog_holds_exactly_the_shipped_models()
    {
        var ids = SunSpecModelCatalog.LoadBuiltIn().Models.Select(m => m.Id).ToArray();
        Assert.Equal(Reference.ShippedModelIds, ids);
        Assert.Equal(Reference.ShippedModelIds.Length, Directory.GetFiles(Reference.ShippedDefinitions, "model_*.json").Length);
    }

    private static JsonNode Facts(JsonNode node, string level)
    {
        switch (node)
        {
            case JsonObject obj:
            {
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (Prose.Contains(key)) continue;
                    if (key == "label" && level is "model" or "symbol") continue;
                    var childLevel = key switch
                    {
                        "group" or "groups" => "group",
                        "points" => "point",
                        "symbols" => "symbol",
                        _ => "value",
                    };
                    result[key] = value is null ? null : Facts(value, childLevel);
                }
                return result;
            }
            case JsonArray array:
                return new JsonArray(array.Select(item => item is null ? null : Facts(item, level)).ToArray());
            default:
                return node.DeepClone();
        }
    }

    private static void AssertGroupEqual(SunSpecGroupDefinition expected, SunSpecGroupDefinition actual, string where)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.IsSync, actual.IsSync);
        Assert.Equal(expected.Points.Count, actual.Points.Count);
        for (var i = 0; i < expected.Points.Count; i++)
        {
            var (e, a) = (expected.Points[i], actual.Points[i]);
            var at = $"{where}.{e.Name}";
            Assert.True(e.Name == a.Name, at);
            Assert.True(e.Type == a.Type, at);
            Assert.True(e.Size == a.Size, at);
            Assert.True(e.ScaleFactor == a.ScaleFactor, at);
            Assert.True(e.Units == a.Units, at);
            Assert.True(e.Access == a.Access, at);
            Assert.True(e.Mandatory == a.Mandatory, at);
            Assert.True(e.Static == a.Static, at);
            Assert.True(e.Value == a.Value, at);
            Assert.True(e.Symbols.SequenceEqual(a.Symbols), at);
        }
        Assert.Equal(expected.Groups.Count, actual.Groups.Count);
        for (var i = 0; i < expected.Groups.Count; i++)
            AssertGroupEqual(expected.Groups[i], actual.Groups[i], $"{where}.{expected.Groups[i].Name}");
    }
}
