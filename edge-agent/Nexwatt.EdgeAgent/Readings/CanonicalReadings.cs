using Nexwatt.Protos;

namespace Nexwatt.EdgeAgent.Readings;

/// <summary>
/// Builds the readings of devices that are not SunSpec as canonical points (<see cref="CanonicalPoints"/>): the value
/// already in the point's unit and in the project's sign convention. A value the device does not provide is
/// "not implemented", never a zero.
/// </summary>
internal static class CanonicalReadings
{
    /// <summary>One canonical point of <paramref name="deviceId"/> at <paramref name="timestamp"/>; null value = not implemented.</summary>
    public static Reading Create(string deviceId, string point, double? value, DateTimeOffset timestamp)
    {
        if (!CanonicalPoints.Units.TryGetValue(point, out var unit))
            throw new ArgumentException($"'{point}' is not a canonical point; known: {string.Join(", ", CanonicalPoints.Units.Keys)}", nameof(point));
        var good = value is { } v && double.IsFinite(v);
        return new Reading(deviceId, (ushort)CanonicalPoints.ModelId, 0, point, good ? value : null, null, unit,
            good ? ReadingQuality.Good : ReadingQuality.NotImplemented, timestamp);
    }

    /// <summary>
    /// A device-specific value that has no canonical measurement (a per-phase figure, a mode): model 0 as well, under
    /// its own name, so it is kept and shown but not normalized.
    /// </summary>
    public static Reading Extra(string deviceId, string point, double? value, string? unit, DateTimeOffset timestamp, string? text = null)
    {
        var good = value is { } v && double.IsFinite(v) || text is not null;
        return new Reading(deviceId, (ushort)CanonicalPoints.ModelId, 0, point, value is { } x && double.IsFinite(x) ? x : null, text, unit,
            good ? ReadingQuality.Good : ReadingQuality.NotImplemented, timestamp);
    }
}
