using System.Text.Json;

namespace Nexwatt.Protocols.Enphase.Decoding;

/// <summary>
/// The small JSON toolkit every decoder shares: parse with a clear error naming the endpoint, read optional numbers
/// and strings. A key the firmware does not send reads as null (not implemented), never as 0.
/// </summary>
internal static class EnphaseJson
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32, AllowTrailingCommas = true };

    public static JsonElement Parse(string endpoint, ReadOnlySpan<byte> body)
    {
        if (ResponsePage.LooksLikeHtml(body))
            throw new EnphaseFormatException(endpoint, $"an HTML page where JSON was expected ({ResponsePage.Describe(body)})");
        try
        {
            using var document = JsonDocument.Parse(body.ToArray(), Options);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new EnphaseFormatException(endpoint, $"not valid JSON ({e.Message})", e);
        }
    }

    public static JsonElement Expect(string endpoint, JsonElement element, JsonValueKind kind, string what)
    {
        if (element.ValueKind != kind)
            throw new EnphaseFormatException(endpoint, $"{what} is {element.ValueKind}, expected {kind}");
        return element;
    }

    /// <summary>The number under <paramref name="name"/>, or null when the key is absent or null.</summary>
    public static double? Number(string endpoint, JsonElement parent, string name)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            // Some firmware quotes numbers ("date": "1709367413").
            JsonValueKind.String when double.TryParse(value.GetString(), System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw new EnphaseFormatException(endpoint, $"'{name}' is {value.ValueKind}, expected a number"),
        };
    }

    public static string? String(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    public static bool? Boolean(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean() : null;

    public static JsonElement? Property(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value : null;

    public static DateTimeOffset? EpochSeconds(string endpoint, JsonElement parent, string name) =>
        Number(endpoint, parent, name) is { } seconds && seconds > 0 && seconds < 32503680000
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)) : null;
}
