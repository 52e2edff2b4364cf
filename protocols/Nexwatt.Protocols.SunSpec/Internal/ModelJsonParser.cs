using System.Globalization;
using System.Text.Json;

namespace Nexwatt.Protocols.SunSpec.Internal;

/// <summary>
/// Reads the official SunSpec model JSON (schema: sunspec/models json/schema.json) into definitions.
/// Prose attributes (desc, detail, notes, comments, standards) are ignored.
/// </summary>
internal static class ModelJsonParser
{
    private const int MaxDepth = 16;

    public static SunSpecModelDefinition Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(sourceName);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new SunSpecDefinitionException(sourceName, $"not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Fail(sourceName, "the root is not an object");
            if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number
                || !idElement.TryGetInt32(out var id) || id < 1 || id > 65534)
                throw Fail(sourceName, "'id' must be an integer model id from 1 to 65534");
            if (!root.TryGetProperty("group", out var groupElement) || groupElement.ValueKind != JsonValueKind.Object)
                throw Fail(sourceName, "'group' object is missing");

            var group = ParseGroup(groupElement, sourceName, "group", 0);
            if (group.Points.Count < 2 || group.Points[0].Name != "ID" || group.Points[1].Name != "L"
                || group.Points[0].Size != 1 || group.Points[1].Size != 1)
                throw Fail(sourceName, "the root group must start with the points 'ID' and 'L' of one register each");
            if (group.Count.Fixed != 1) throw Fail(sourceName, "the root group cannot repeat");
            if (group.Points[0].Value is { } v && v != id)
                throw Fail(sourceName, $"point ID has value {v} but the model id is {id}");
            var model = new SunSpecModelDefinition((ushort)id, group, sourceName);
            ValidateReferences(model, sourceName);
            return model;
        }
    }

    private static SunSpecGroupDefinition ParseGroup(JsonElement element, string source, string where, int depth)
    {
        if (depth > MaxDepth) throw Fail(source, $"{where}: groups nested deeper than {MaxDepth}");
        var name = RequiredString(element, "name", source, where);
        where = name;
        var typeText = RequiredString(element, "type", source, where);
        var isSync = typeText switch
        {
            "group" => false,
            "sync" => true,
            _ => throw Fail(source, $"group '{where}': type '{typeText}' is neither 'group' nor 'sync'"),
        };

        var count = SunSpecGroupCount.FromFixed(1);
        if (element.TryGetProperty("count", out var countElement))
        {
            if (countElement.ValueKind == JsonValueKind.Number && countElement.TryGetInt32(out var n) && n >= 0)
                count = SunSpecGroupCount.FromFixed(n);
            else if (countElement.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(countElement.GetString()))
                count = SunSpecGroupCount.FromPoint(countElement.GetString()!);
            else
                throw Fail(source, $"group '{where}': 'count' must be a non-negative integer or a point name");
        }

        var points = new List<SunSpecPointDefinition>();
        if (element.TryGetProperty("points", out var pointsElement))
        {
            if (pointsElement.ValueKind != JsonValueKind.Array) throw Fail(source, $"group '{where}': 'points' is not an array");
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in pointsElement.EnumerateArray())
            {
                var point = ParsePoint(p, source, where);
                if (!names.Add(point.Name)) throw Fail(source, $"group '{where}': point '{point.Name}' appears twice");
                points.Add(point);
            }
        }

        var groups = new List<SunSpecGroupDefinition>();
        if (element.TryGetProperty("groups", out var groupsElement))
        {
            if (groupsElement.ValueKind != JsonValueKind.Array) throw Fail(source, $"group '{where}': 'groups' is not an array");
            foreach (var g in groupsElement.EnumerateArray())
            {
                if (g.ValueKind != JsonValueKind.Object) throw Fail(source, $"group '{where}': a nested group is not an object");
                groups.Add(ParseGroup(g, source, where + ".group", depth + 1));
            }
        }

        return new SunSpecGroupDefinition(name, OptionalString(element, "label", source, where), isSync, count, points, groups);
    }

    private static SunSpecPointDefinition ParsePoint(JsonElement element, string source, string group)
    {
        if (element.ValueKind != JsonValueKind.Object) throw Fail(source, $"group '{group}': a point is not an object");
        var name = RequiredString(element, "name", source, $"group '{group}' point");
        var where = $"point '{group}.{name}'";
        var typeName = RequiredString(element, "type", source, where);
        var type = ParseType(typeName) ?? throw Fail(source, $"{where}: unknown type '{typeName}'");
        if (!element.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number
            || !sizeElement.TryGetInt32(out var size) || size < 1 || size > 1024)
            throw Fail(source, $"{where}: 'size' must be a positive integer");
        var expected = ExpectedSize(type);
        if (expected is { } e && e != size) throw Fail(source, $"{where}: type {typeName} needs size {e}, not {size}");

        string? sf = null;
        if (element.TryGetProperty("sf", out var sfElement))
        {
            sf = sfElement.ValueKind switch
            {
                JsonValueKind.String when !string.IsNullOrEmpty(sfElement.GetString()) => sfElement.GetString(),
                JsonValueKind.Number when sfElement.TryGetInt32(out var fixedSf) && fixedSf is >= -10 and <= 10 => fixedSf.ToString(CultureInfo.InvariantCulture),
                _ => throw Fail(source, $"{where}: 'sf' must be a point name or an integer from -10 to 10"),
            };
        }

        var access = OptionalString(element, "access", source, where) switch
        {
            null or "R" => SunSpecAccess.Read,
            "RW" => SunSpecAccess.ReadWrite,
            var other => throw Fail(source, $"{where}: access '{other}' is neither 'R' nor 'RW'"),
        };
        var mandatory = OptionalString(element, "mandatory", source, where) switch
        {
            null or "O" => false,
            "M" => true,
            var other => throw Fail(source, $"{where}: mandatory '{other}' is neither 'M' nor 'O'"),
        };
        var isStatic = OptionalString(element, "static", source, where) switch
        {
            null or "D" => false,
            "S" => true,
            var other => throw Fail(source, $"{where}: static '{other}' is neither 'S' nor 'D'"),
        };

        long? value = null;
        if (element.TryGetProperty("value", out var valueElement) && valueElement.ValueKind == JsonValueKind.Number)
        {
            if (!valueElement.TryGetInt64(out var v)) throw Fail(source, $"{where}: 'value' is not an integer");
            value = v;
        }

        int? pointCount = null;
        if (element.TryGetProperty("count", out var countElement))
        {
            if (countElement.ValueKind != JsonValueKind.Number || !countElement.TryGetInt32(out var c) || c < 0)
                throw Fail(source, $"{where}: 'count' is not a non-negative integer");
            pointCount = c;
        }

        var symbols = new List<SunSpecSymbol>();
        if (element.TryGetProperty("symbols", out var symbolsElement))
        {
            if (symbolsElement.ValueKind != JsonValueKind.Array) throw Fail(source, $"{where}: 'symbols' is not an array");
            foreach (var s in symbolsElement.EnumerateArray())
            {
                var symbolName = RequiredString(s, "name", source, $"{where} symbol");
                if (!s.TryGetProperty("value", out var sv) || sv.ValueKind != JsonValueKind.Number || !sv.TryGetInt64(out var symbolValue))
                    throw Fail(source, $"{where}: symbol '{symbolName}' has no integer 'value'");
                symbols.Add(new SunSpecSymbol(symbolName, symbolValue));
            }
        }

        return new SunSpecPointDefinition(name, OptionalString(element, "label", source, where), type, typeName, size, sf,
            OptionalString(element, "units", source, where), access, mandatory, isStatic, value, pointCount, symbols);
    }

    /// <summary>Every scale-factor name must name a sunssf point in scope; every count name a point in scope.</summary>
    private static void ValidateReferences(SunSpecModelDefinition model, string source)
    {
        var scope = new List<SunSpecGroupDefinition>();
        Visit(model.Group);

        void Visit(SunSpecGroupDefinition group)
        {
            scope.Add(group);
            foreach (var p in group.Points)
            {
                if (p.ScaleFactor is { } sf && p.FixedScaleFactor is null)
                {
                    var target = Find(sf) ?? throw Fail(source, $"point '{group.Name}.{p.Name}': scale factor '{sf}' names no point of its group or parents");
                    if (target.Type != SunSpecPointType.Sunssf)
                        throw Fail(source, $"point '{group.Name}.{p.Name}': scale factor '{sf}' is of type {target.TypeName}, not sunssf");
                }
            }
            foreach (var g in group.Groups)
            {
                if (g.Count.CountPoint is { } countName && Find(countName) is null)
                    throw Fail(source, $"group '{g.Name}': count point '{countName}' names no point of its parents");
                Visit(g);
            }
            scope.RemoveAt(scope.Count - 1);
        }

        SunSpecPointDefinition? Find(string name)
        {
            for (var i = scope.Count - 1; i >= 0; i--)
                if (scope[i].FindPoint(name) is { } p) return p;
            return null;
        }
    }

    internal static SunSpecPointType? ParseType(string typeName) => typeName switch
    {
        "int16" => SunSpecPointType.Int16,
        "uint16" => SunSpecPointType.UInt16,
        "acc16" => SunSpecPointType.Acc16,
        "int32" => SunSpecPointType.Int32,
        "uint32" => SunSpecPointType.UInt32,
        "acc32" => SunSpecPointType.Acc32,
        "int64" => SunSpecPointType.Int64,
        "uint64" => SunSpecPointType.UInt64,
        "acc64" => SunSpecPointType.Acc64,
        "float32" => SunSpecPointType.Float32,
        "float64" => SunSpecPointType.Float64,
        "string" => SunSpecPointType.String,
        "enum16" => SunSpecPointType.Enum16,
        "enum32" => SunSpecPointType.Enum32,
        "bitfield16" => SunSpecPointType.Bitfield16,
        "bitfield32" => SunSpecPointType.Bitfield32,
        "bitfield64" => SunSpecPointType.Bitfield64,
        "sunssf" => SunSpecPointType.Sunssf,
        "pad" => SunSpecPointType.Pad,
        "count" => SunSpecPointType.Count,
        "ipaddr" => SunSpecPointType.IpAddr,
        "ipv6addr" => SunSpecPointType.Ipv6Addr,
        "eui48" => SunSpecPointType.Eui48,
        "raw16" => SunSpecPointType.Raw16,
        _ => null,
    };

    /// <summary>The register count a type requires, or null when the definition chooses (strings).</summary>
    internal static int? ExpectedSize(SunSpecPointType type) => type switch
    {
        SunSpecPointType.String => null,
        SunSpecPointType.Int32 or SunSpecPointType.UInt32 or SunSpecPointType.Acc32 or SunSpecPointType.Float32
            or SunSpecPointType.Enum32 or SunSpecPointType.Bitfield32 or SunSpecPointType.IpAddr => 2,
        SunSpecPointType.Int64 or SunSpecPointType.UInt64 or SunSpecPointType.Acc64 or SunSpecPointType.Float64
            or SunSpecPointType.Bitfield64 or SunSpecPointType.Eui48 => 4,
        SunSpecPointType.Ipv6Addr => 8,
        _ => 1,
    };

    private static string RequiredString(JsonElement element, string property, string source, string where)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var value)
            || value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(value.GetString()))
            throw Fail(source, $"{where}: '{property}' must be a non-empty string");
        return value.GetString()!;
    }

    private static string? OptionalString(JsonElement element, string property, string source, string where)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw Fail(source, $"{where}: '{property}' is not a string");
        return value.GetString();
    }

    private static SunSpecDefinitionException Fail(string source, string problem) => new(source, problem);
}
