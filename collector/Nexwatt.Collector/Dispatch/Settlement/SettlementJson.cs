using System.Text.Json;
using System.Text.Json.Serialization;

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

/// <summary>The source-generated serializer context of <see cref="SettlementReport"/>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(SettlementReport))]
public sealed partial class SettlementJsonContext : JsonSerializerContext;
