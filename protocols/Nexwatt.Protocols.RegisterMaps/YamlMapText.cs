using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Nexwatt.Protocols.RegisterMaps;

/// <summary>
/// A YAML map turned into the JSON the parser checks, with the YAML line and column of every value kept by its JSON
/// path, so that a problem in a YAML file points at the YAML text. Plain scalars that read as numbers or booleans
/// become those; anything else (0x7FFF, NaN, names) stays text, which is what the map format expects.
/// </summary>
internal static class YamlMapText
{
    /// <exception cref="RegisterMapException">The YAML itself is malformed.</exception>
    public static (byte[] Json, JsonLocations Locations) Convert(string fileName, string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new RegisterMapException(fileName, [new MapProblem("$", (int)ex.Start.Line, (int)ex.Start.Column, ex.Message)]);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 18.1 fails this way (not with a YamlException) on some malformed input, as the fuzz test found.
            throw new RegisterMapException(fileName, [new MapProblem("$", 0, 0, $"the YAML is malformed ({ex.Message}); check quotes and brackets")]);
        }
        if (stream.Documents.Count != 1)
            throw new RegisterMapException(fileName, [new MapProblem("$", 1, 1, $"a map file holds one YAML document, not {stream.Documents.Count}")]);
        var starts = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, stream.Documents[0].RootNode, "$", starts, fileName, depth: 0);
        return (buffer.ToArray(), JsonLocations.From(starts));
    }

    // A map is a few levels deep; an alias that contains itself would otherwise recurse without end.
    private const int MaxDepth = 16;

    private static void Write(Utf8JsonWriter writer, YamlNode node, string path, Dictionary<string, (int, int)> starts, string fileName, int depth)
    {
        if (depth > MaxDepth)
            throw new RegisterMapException(fileName, [new MapProblem(path, (int)node.Start.Line, (int)node.Start.Column, $"nested deeper than {MaxDepth} levels (a recursive alias?)")]);
        starts.TryAdd(path, ((int)node.Start.Line, (int)node.Start.Column));
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = (key as YamlScalarNode)?.Value ?? key.ToString();
                    writer.WritePropertyName(name);
                    Write(writer, value, $"{path}.{name}", starts, fileName, depth + 1);
                }
                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                for (var i = 0; i < sequence.Children.Count; i++) Write(writer, sequence.Children[i], $"{path}[{i}]", starts, fileName, depth + 1);
                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain) { writer.WriteStringValue(text); return; }
        if (text is "" or "~" or "null") writer.WriteNullValue();
        else if (text is "true" or "false") writer.WriteBooleanValue(text == "true");
        else if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) writer.WriteNumberValue(integer);
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)) writer.WriteNumberValue(number);
        else writer.WriteStringValue(text);
    }
}
