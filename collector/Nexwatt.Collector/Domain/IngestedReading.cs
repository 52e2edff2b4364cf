namespace Nexwatt.Collector.Domain;

/// <summary>Quality as the edge reported it (see protos: nexwatt.v1.Quality).</summary>
public enum EdgeQuality
{
    Good = 1,
    NotImplemented = 2,
}

/// <summary>
/// One reading as it arrived, before normalization. <see cref="SiteId"/> comes from the caller's identity, never
/// from the payload; (<see cref="SiteId"/>, <see cref="Sequence"/>) is unique and the key of deduplication.
/// </summary>
public sealed record IngestedReading(
    string SiteId,
    ulong Sequence,
    string DeviceId,
    ushort ModelId,
    int ModelInstance,
    string Point,
    double? Value,
    string? Text,
    string Unit,
    EdgeQuality Quality,
    DateTimeOffset SourceTime,
    DateTimeOffset ReceivedTime,
    bool Historical);

/// <summary>Readings evicted at the edge before delivery: the covered intervals are flagged <see cref="QualityFlags.Gap"/>.</summary>
public sealed record GapRecord(
    string SiteId,
    ulong FirstSequence,
    ulong LastSequence,
    ulong ReadingsLost,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<string> DeviceIds,
    string Reason);
