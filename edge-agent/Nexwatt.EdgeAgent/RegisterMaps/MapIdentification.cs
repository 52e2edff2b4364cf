using System.Globalization;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.RegisterMaps;

namespace Nexwatt.EdgeAgent.RegisterMaps;

/// <summary>Whether the device at an address is one of a map's family, by the map's identification rules.</summary>
internal static class MapIdentification
{
    /// <summary>Reads the identification points and returns the first rule that fails (null: all hold); a map without rules matches anything.</summary>
    public static async Task<string?> MismatchAsync(IModbusClient client, RegisterMap map, byte unitId, CancellationToken cancellationToken)
    {
        if (map.Identification.Count == 0) return null;
        var points = map.Identification.Select(r => map.Get(r.Point)).Distinct().ToList();
        var values = (await RegisterMapReader.ReadAsync(client, map, unitId, points, cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => r.Point.Name, r => r.Value, StringComparer.Ordinal);
        foreach (var rule in map.Identification)
            if (!Holds(rule, values[rule.Point])) return $"{rule.Point} is '{values[rule.Point]}'";
        return null;
    }

    /// <summary>The identifying text read (a model name, a manufacturer), for status and logs.</summary>
    public static string? Describe(RegisterMap map, IReadOnlyList<PointReading> readings) =>
        readings.FirstOrDefault(r => r.Point.Type == PointType.String && map.Identification.Any(i => i.Point == r.Point.Name))?.Value.Text;

    private static bool Holds(IdentificationRule rule, PointValue value)
    {
        var text = value.Kind == PointValueKind.Text ? value.Text ?? "" : value.AsNumber?.ToString(CultureInfo.InvariantCulture);
        if (rule.NonEmpty && string.IsNullOrWhiteSpace(text)) return false;
        if (rule.EqualTo is { } equal && !string.Equals(text, equal, StringComparison.Ordinal)) return false;
        if (rule.StartsWith is { } prefix && !(text ?? "").StartsWith(prefix, StringComparison.Ordinal)) return false;
        if (rule.Minimum is { } min && !(value.AsNumber >= min)) return false;
        if (rule.Maximum is { } max && !(value.AsNumber <= max)) return false;
        return true;
    }
}

/// <summary>The device at the configured address does not satisfy its map's identification rules.</summary>
internal sealed class MapMismatchException(string deviceId, string map, string why)
    : Exception($"{deviceId} does not look like a {map} device: {why}");
