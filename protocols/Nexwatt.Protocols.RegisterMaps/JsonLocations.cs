using System.Text.Json;

namespace Nexwatt.Protocols.RegisterMaps;

/// <summary>
/// The line and column where each JSON value starts, by the path System.Text.Json names it with ("$.points[2].type"),
/// so that a problem found after binding still points at the text the user wrote.
/// </summary>
internal sealed class JsonLocations
{
    private readonly Dictionary<string, (int Line, int Column)> _starts = new(StringComparer.Ordinal);

    private JsonLocations() { }

    /// <summary>Locations known by path already (a YAML file's marks).</summary>
    public static JsonLocations From(IReadOnlyDictionary<string, (int Line, int Column)> starts)
    {
        var index = new JsonLocations();
        foreach (var (path, at) in starts) index._starts[path] = at;
        return index;
    }

    public (int Line, int Column) Of(string path)
    {
        // A path into a value that does not exist (a missing key) points at its closest existing parent.
        for (var p = path; p.Length > 0; p = Parent(p))
            if (_starts.TryGetValue(p, out var at)) return at;
        return (0, 0);
    }

    public static JsonLocations Index(ReadOnlySpan<byte> utf8, JsonReaderOptions options)
    {
        var index = new JsonLocations();
        var lineStarts = LineStarts(utf8);
        var reader = new Utf8JsonReader(utf8, options);
        var path = new List<string>();
        var arrayCounters = new Stack<int>();
        string? pendingName = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingName = reader.GetString();
                        continue;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        if (reader.TokenType == JsonTokenType.EndArray) arrayCounters.Pop();
                        if (path.Count > 0) path.RemoveAt(path.Count - 1);
                        continue;
                }
                // A value starts here: name it, record it, and descend into containers.
                string segment;
                if (pendingName is not null) { segment = "." + pendingName; pendingName = null; }
                else if (arrayCounters.Count > 0) { var i = arrayCounters.Pop(); arrayCounters.Push(i + 1); segment = $"[{i}]"; }
                else segment = "";
                var full = "$" + string.Concat(path) + segment;
                index._starts.TryAdd(full, Position(lineStarts, (int)reader.TokenStartIndex));
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    path.Add(segment);
                    if (reader.TokenType == JsonTokenType.StartArray) arrayCounters.Push(0);
                }
            }
        }
        catch (JsonException)
        {
            // Malformed text: the deserializer reports it with its own position; what was indexed so far stays.
        }
        return index;
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? (path == "$" ? "" : "$") : path[..cut];
    }

    private static List<int> LineStarts(ReadOnlySpan<byte> utf8)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++) if (utf8[i] == (byte)'\n') starts.Add(i + 1);
        return starts;
    }

    private static (int, int) Position(List<int> lineStarts, int offset)
    {
        var line = lineStarts.BinarySearch(offset);
        if (line < 0) line = ~line - 1;
        return (line + 1, offset - lineStarts[line] + 1);
    }
}
