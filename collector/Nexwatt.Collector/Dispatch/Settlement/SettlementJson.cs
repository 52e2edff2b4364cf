using System.Text.Json;
using System.Text.Json.Serialization;
using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Dispatch.Settlement;

/// <summary>The settlement report as snake_case JSON (enums by name, nulls written), source-generated.</summary>
public static class SettlementJson
{
    /// <summary>The report as UTF-8 JSON text.</summary>
    public static string Serialize(SettlementReport report) =>
        JsonSerializer.Serialize(report, SettlementJsonContext.Default.SettlementReport);

    /// <summary>Writes the report as UTF-8 JSON to <paramref name="utf8"/>.</summary>
    public static void Write(SettlementReport report, Stream utf8) =>
        JsonSerializer.Serialize(utf8, report, SettlementJsonContext.Default.SettlementReport);

    /// <summary>Reads a report written by <see cref="Serialize"/>; throws <see cref="JsonException"/> when malformed.</summary>
    public static SettlementReport Deserialize(string json) =>
        JsonSerializer.Deserialize(json, SettlementJsonContext.Default.SettlementReport)
        ?? throw new JsonException("The settlement report is null.");
}

/// <summary>
/// The source-generated serializer context of <see cref="SettlementReport"/>: enums spelt as the rest of the API spells
/// them (<c>"direction": "discharge"</c>, <c>"flags": ["late", "missing"]</c>).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(SnakeCaseEnumConverter<DispatchDirection>), typeof(QualityFlagsJsonConverter)],
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(SettlementReport))]
public sealed partial class SettlementJsonContext : JsonSerializerContext;

/// <summary>An enum as its snake_case name (<c>discharge</c>), numbers refused.</summary>
public sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;

/// <summary>Quality flags as the API writes them everywhere: an array of lower-case names in bit order, empty for none.</summary>
public sealed class QualityFlagsJsonConverter : JsonConverter<QualityFlags>
{
    public override QualityFlags Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("Quality flags are an array of names.");
        var flags = QualityFlags.None;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String || !Enum.TryParse<QualityFlags>(reader.GetString(), ignoreCase: true, out var flag)
                || !Enum.IsDefined(flag) || int.TryParse(reader.GetString(), out _))
                throw new JsonException($"'{reader.GetString()}' is not a quality flag.");
            flags |= flag;
        }
        return flags;
    }

    public override void Write(Utf8JsonWriter writer, QualityFlags value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartArray();
        foreach (var name in Api.QueryEndpoints.FlagNames(value)) writer.WriteStringValue(name);
        writer.WriteEndArray();
    }
}
