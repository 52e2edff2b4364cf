using System.Text.Json.Nodes;

namespace Nexwatt.Protocols.SunSpec.Tests.Support;

/// <summary>
/// Lays out a pysunspec2 "device JSON" image (point name → raw value, null = unimplemented, arrays for repeating
/// groups) as registers, using our definitions where the names match; points the definition does not know are
/// counted in <see cref="Result.Skipped"/>. Unknown models become ID, L and L zero registers. As pysunspec2's file
/// client does, the SunS marker is at 40000 and the first model at 40002.
/// </summary>
internal static class DeviceJsonImage
{
    public sealed record Result(ushort BaseAddress, ushort[] Registers, List<string> Skipped);

    public static Result Load(string path, SunSpecModelCatalog catalog, bool addEndModel)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var registers = new List<ushort> { 0x5375, 0x6E53 };
        var skipped = new List<string>();
        foreach (var modelNode in root["models"]!.AsArray())
        {
            var model = modelNode!.AsObject();
            var id = (ushort)model["ID"]!.GetValue<int>();
            if (id == 0xFFFF) break;
            if (!catalog.TryGet(id, out var definition))
            {
                var length = model["L"]!.GetValue<int>();
                registers.Add(id);
                registers.Add((ushort)length);
                registers.AddRange(new ushort[length]);
                continue;
            }
            var block = SunSpecModelBlock.Create(definition, RepeatCounts(definition.Group, model));
            Fill(block, definition.Group, model, "", skipped, $"model {id}");
            registers.AddRange(block.Registers.ToArray());
        }
        if (addEndModel)
        {
            registers.Add(0xFFFF);
            registers.Add(0);
        }
        return new Result(40000, registers.ToArray(), skipped);
    }

    private static Dictionary<string, int> RepeatCounts(SunSpecGroupDefinition group, JsonObject values)
    {
        var counts = new Dictionary<string, int>();
        Collect(group, values);
        return counts;

        void Collect(SunSpecGroupDefinition g, JsonObject node)
        {
            foreach (var child in g.Groups)
            {
                if (!node.TryGetPropertyValue(child.Name, out var childNode) || childNode is null) continue;
                if (childNode is JsonArray array)
                {
                    if (child.Count.IsVariable)
                    {
                        counts.TryAdd(child.Name, array.Count);
                        if (child.Count.CountPoint is { } countPoint) counts.TryAdd(countPoint, array.Count);
                    }
                    foreach (var item in array.OfType<JsonObject>()) Collect(child, item);
                }
                else if (childNode is JsonObject obj) Collect(child, obj);
            }
        }
    }

    private static void Fill(SunSpecModelBlock block, SunSpecGroupDefinition group, JsonObject values, string prefix, List<string> skipped, string where)
    {
        foreach (var (name, value) in values)
        {
            if (name is "ID" or "L" && prefix.Length == 0) continue;
            var point = group.FindPoint(name);
            var childGroup = group.Groups.FirstOrDefault(g => g.Name == name);
            if (point is null && childGroup is null)
            {
                skipped.Add($"{where} {prefix}{name}");
                continue;
            }
            if (childGroup is not null)
            {
                var repeating = childGroup.Count.IsVariable || childGroup.Count.Fixed != 1;
                if (value is JsonArray array)
                {
                    for (var i = 0; i < array.Count; i++)
                        if (array[i] is JsonObject item)
                            Fill(block, childGroup, item, repeating ? $"{prefix}{name}[{i}]." : $"{prefix}{name}.", skipped, where);
                }
                else if (value is JsonObject obj)
                    Fill(block, childGroup, obj, $"{prefix}{name}.", skipped, where);
                continue;
            }
            var path = prefix + name;
            if (!block.HasPoint(path))
            {
                skipped.Add($"{where} {path} (no instance)");
                continue;
            }
            try
            {
                switch (value)
                {
                    case null:
                        block.WriteNotImplemented(path);
                        break;
                    case JsonValue v when v.TryGetValue<string>(out var text):
                        block.WriteString(path, text);
                        break;
                    case JsonValue v when v.TryGetValue<long>(out var raw):
                        block.WriteRaw(path, raw);
                        break;
                    case JsonValue v when v.TryGetValue<double>(out var d):
                        block.WriteFloat(path, d);
                        break;
                    default:
                        skipped.Add($"{where} {path} (value {value.ToJsonString()})");
                        break;
                }
            }
            catch (SunSpecEncodingException ex)
            {
                // The draft 1547 image may carry a value whose type changed since; keep going.
                skipped.Add($"{where} {path} ({ex.Message})");
            }
        }
    }
}
