using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Buffer;

/// <summary>What one eviction round dropped; it becomes one gap record.</summary>
internal sealed class EvictionRound
{
    private readonly SortedSet<string> _devices = new(StringComparer.Ordinal);

    public ulong FirstSequence { get; private set; } = ulong.MaxValue;
    public ulong LastSequence { get; private set; }
    public long Readings { get; private set; }
    public long Chunks { get; private set; }
    public long FromTimeUs { get; private set; } = long.MaxValue;
    public long ToTimeUs { get; private set; } = long.MinValue;
    public string Devices => string.Join(",", _devices);

    public void Add(ulong firstSequence, ulong lastSequence, string deviceId, long fromTimeUs, long toTimeUs, long readings)
    {
        FirstSequence = Math.Min(FirstSequence, firstSequence);
        LastSequence = Math.Max(LastSequence, lastSequence);
        FromTimeUs = Math.Min(FromTimeUs, fromTimeUs);
        ToTimeUs = Math.Max(ToTimeUs, toTimeUs);
        Readings += readings;
        Chunks++;
        _devices.Add(deviceId);
    }

    public Gap ToGap(string reason)
    {
        var gap = new Gap
        {
            FirstSequence = FirstSequence,
            LastSequence = LastSequence,
            ReadingsLost = (ulong)Readings,
            FromTimeUs = FromTimeUs,
            ToTimeUs = ToTimeUs,
            Reason = reason,
        };
        gap.DeviceIds.AddRange(_devices);
        return gap;
    }
}
