namespace Nexwatt.EdgeAgent.Readings;

/// <summary>How far a reading can be trusted. Nothing is passed on as good unless it is.</summary>
public enum ReadingQuality
{
    /// <summary>Read from the device and decoded with its scale factor.</summary>
    Good,
    /// <summary>The device marks the point (or its scale factor) as not implemented; there is no value.</summary>
    NotImplemented,
}

/// <summary>One point of one device at one instant.</summary>
/// <param name="DeviceId">The configured or discovered device id.</param>
/// <param name="ModelId">SunSpec model id the point belongs to.</param>
/// <param name="ModelInstance">0 for the first instance of that model on the device, 1 for the second, ...</param>
/// <param name="Point">Point path inside the model, e.g. "W" or "module[1].DCV".</param>
/// <param name="Value">Scaled numeric value, null when there is none.</param>
/// <param name="Text">Text, enum symbol or bit names where the point is not a plain number.</param>
/// <param name="Units">SunSpec units as the model declares them (W, Wh, V, A, Pct...).</param>
/// <param name="SourceTimestamp">When the agent received the device's answer; devices carry no clock of their own.</param>
public sealed record Reading(
    string DeviceId,
    ushort ModelId,
    int ModelInstance,
    string Point,
    double? Value,
    string? Text,
    string? Units,
    ReadingQuality Quality,
    DateTimeOffset SourceTimestamp);

/// <summary>Everything read from one device in one poll.</summary>
public sealed record DeviceReadings(string SiteId, string DeviceId, DateTimeOffset SourceTimestamp, IReadOnlyList<Reading> Readings);
