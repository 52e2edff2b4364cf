using Nexwatt.Protocols.SunSpec.Tests.Support;

namespace Nexwatt.Protocols.SunSpec.Tests;

/// <summary>Oracle (b) and the loader's error handling.</summary>
public sealed class CatalogTests
{
    [Fact]
    public void LoadFolder_parses_every_official_model()
    {
        var files = Directory.GetFiles(Reference.Models, "model_*.json");
        var catalog = SunSpecModelCatalog.Empty.LoadFolder(Reference.Models);
        Assert.Equal(files.Length, catalog.Models.Count);
        Assert.Equal(33, catalog.Models.Count);
    }

    [Theory]
    // L of the fixed part, as the reference models/README.md lists it (704: L value 65 includes its four sync groups).
    [InlineData(1, 66)]
    [InlineData(103, 50)]
    [InlineData(113, 60)]
    [InlineData(126, 10)]
    [InlineData(160, 8)]
    [InlineData(701, 153)]
    [InlineData(704, 65)]
    [InlineData(705, 13)]
    [InlineData(707, 7)]
    [InlineData(805, 42)]
    public void FixedLength_matches_the_reference(int id, int fixedLength) =>
        Assert.Equal(fixedLength, SunSpecModelCatalog.LoadBuiltIn().Get((ushort)id).FixedLength);

    [Fact]
    public void Definitions_expose_their_facts()
    {
        var m103 = SunSpecModelCatalog.LoadBuiltIn().Get(103);
        Assert.Equal("inverter_three_phase", m103.Name);
        var w = m103.Group.FindPoint("W")!;
        Assert.Equal(SunSpecPointType.Int16, w.Type);
        Assert.Equal("W_SF", w.ScaleFactor);
        Assert.Equal("W", w.Units);
        Assert.True(w.Mandatory);
        Assert.Equal(SunSpecAccess.Read, w.Access);
        var st = m103.Group.FindPoint("St")!;
        Assert.Contains(st.Symbols, s => s.Name == "MPPT" && s.Value == 4);
        var m705 = SunSpecModelCatalog.LoadBuiltIn().Get(705);
        Assert.Equal("NCrv", m705.Group.Groups[0].Count.CountPoint);
        Assert.Equal("NPt", m705.Group.Groups[0].Groups[0].Count.CountPoint);
        Assert.True(SunSpecModelCatalog.LoadBuiltIn().Get(160).Group.Groups[0].Count.FillsLength);
    }

    [Fact]
    public void LoadFolder_overrides_and_adds()
    {
        var folder = Directory.CreateTempSubdirectory("sunspec-catalog-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "model_64001.json"), MinimalModel(64001, "vendor_ext"));
            File.WriteAllText(Path.Combine(folder.FullName, "model_1.json"), MinimalModel(1, "common_override"));
            File.WriteAllText(Path.Combine(folder.FullName, "notes.json"), "not a model, not read");
            var builtIn = SunSpecModelCatalog.LoadBuiltIn();
            var catalog = builtIn.LoadFolder(folder.FullName);
            Assert.Equal("vendor_ext", catalog.Get(64001).Name);
            Assert.Equal("common_override", catalog.Get(1).Name);
            Assert.Equal("common", builtIn.Get(1).Name);
            Assert.False(builtIn.TryGet(64001, out _));
            Assert.Equal(builtIn.Models.Count + 1, catalog.Models.Count);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "root is not an object")]
    [InlineData("""{"group":{"name":"x","type":"group"}}""", "'id'")]
    [InlineData("""{"id":5,"group":{"name":"x","type":"group","points":[{"name":"ID","type":"uint16","size":1}]}}""", "'ID' and 'L'")]
    [InlineData("""{"id":5,"group":{"name":"x","type":"group","points":[{"name":"ID","type":"uint16","size":1},{"name":"L","type":"uint16","size":1},{"name":"W","type":"int17","size":1}]}}""", "unknown type 'int17'")]
    [InlineData("""{"id":5,"group":{"name":"x","type":"group","points":[{"name":"ID","type":"uint16","size":1},{"name":"L","type":"uint16","size":1},{"name":"W","type":"int32","size":1}]}}""", "needs size 2")]
    [InlineData("""{"id":5,"group":{"name":"x","type":"group","points":[{"name":"ID","type":"uint16","size":1},{"name":"L","type":"uint16","size":1},{"name":"W","type":"int16","size":1,"sf":"W_SF"}]}}""", "scale factor 'W_SF'")]
    [InlineData("""{"id":5,"group":{"name":"x","type":"group","points":[{"name":"ID","type":"uint16","size":1},{"name":"L","type":"uint16","size":1}],"groups":[{"name":"c","type":"group","count":"NC","points":[]}]}}""", "count point 'NC'")]
    public void Parse_rejects_bad_definitions_with_a_clear_message(string json, string expected)
    {
        var ex = Assert.Throws<SunSpecDefinitionException>(() => SunSpecModelCatalog.Parse(json, "bad.json"));
        Assert.Contains("bad.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFolder_names_the_bad_file()
    {
        var folder = Directory.CreateTempSubdirectory("sunspec-catalog-");
        try
        {
            var bad = Path.Combine(folder.FullName, "model_9.json");
            File.WriteAllText(bad, """{"id": 9, "group": {"name": "x"}}""");
            var ex = Assert.Throws<SunSpecDefinitionException>(() => SunSpecModelCatalog.LoadBuiltIn().LoadFolder(folder.FullName));
            Assert.Equal(bad, ex.SourceName);
            Assert.Contains("'type'", ex.Problem, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void LoadFolder_of_a_missing_folder_says_so()
    {
        var ex = Assert.Throws<DirectoryNotFoundException>(() => SunSpecModelCatalog.LoadBuiltIn().LoadFolder("/nonexistent/sunspec-models"));
        Assert.Contains("/nonexistent/sunspec-models", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_of_an_unknown_model_throws_and_TryGet_returns_false()
    {
        var catalog = SunSpecModelCatalog.LoadBuiltIn();
        Assert.False(catalog.TryGet(129, out var none));
        Assert.Null(none);
        Assert.Throws<KeyNotFoundException>(() => catalog.Get(129));
    }

    internal static string MinimalModel(int id, string name) => $$$"""
        {"id": {{{id}}}, "group": {"name": "{{{name}}}", "type": "group", "points": [
          {"name": "ID", "type": "uint16", "size": 1, "value": {{{id}}}},
          {"name": "L", "type": "uint16", "size": 1},
          {"name": "V", "type": "uint16", "size": 1, "sf": "V_SF", "access": "RW"},
          {"name": "V_SF", "type": "sunssf", "size": 1}]}}
        """;
}
