using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Nexwatt.Bench.Modbus;

/// <summary>
/// Which types our client allocates: listens to the runtime's GCAllocationTick event (one sample per ~100 KB
/// allocated, carrying the type of the object that crossed the threshold), so sample counts are proportional
/// to bytes allocated per type. In-process and cheap; no external profiler needed.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const int GcAllocationTickEventId = 10;
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly ConcurrentDictionary<string, int> _samples = new();
    private volatile bool _recording;

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    /// <summary>Types by share of sampled bytes, largest first.</summary>
    public IReadOnlyList<(string Type, int Samples, double Share)> Top(int count)
    {
        var total = Math.Max(1, _samples.Values.Sum());
        return _samples.OrderByDescending(p => p.Value).Take(count).Select(p => (p.Key, p.Value, (double)p.Value / total)).ToArray();
    }

    public int TotalSamples => _samples.Values.Sum();

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventId != GcAllocationTickEventId || eventData.PayloadNames is null) return;
        var index = eventData.PayloadNames.IndexOf("TypeName");
        var type = index >= 0 && eventData.Payload?[index] is string name ? name : "?";
        _samples.AddOrUpdate(type, 1, static (_, n) => n + 1);
    }
}
