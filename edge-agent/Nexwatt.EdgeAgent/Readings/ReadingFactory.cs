using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Readings;

/// <summary>Turns a decoded SunSpec model block into readings, leaving out points that carry no measurement.</summary>
internal static class ReadingFactory
{
    public static IEnumerable<Reading> FromBlock(string deviceId, SunSpecModelBlock block, int instance, DateTimeOffset timestamp)
    {
        foreach (var point in block.ReadAll())
        {
            var definition = point.Definition;
            // ID, L, scale factors, pads and counts describe the layout, not the device.
            if (definition.Type is SunSpecPointType.Sunssf or SunSpecPointType.Pad or SunSpecPointType.Count) continue;
            if (point.Path is "ID" or "L") continue;
            var value = point.Value;
            yield return value.Kind == SunSpecValueKind.NotImplemented
                ? new Reading(deviceId, block.ModelId, instance, point.Path, null, null, definition.Units, ReadingQuality.NotImplemented, timestamp)
                : new Reading(deviceId, block.ModelId, instance, point.Path, value.Value, value.Kind == SunSpecValueKind.Number ? null : value.ToString(),
                    definition.Units, ReadingQuality.Good, timestamp);
        }
    }
}
