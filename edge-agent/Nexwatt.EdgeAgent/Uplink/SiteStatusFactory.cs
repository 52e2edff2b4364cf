using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.EdgeAgent.Polling;
using Nexwatt.Protos.V1;
using Nexwatt.Protos;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>Builds the retained site status: birth (online, with devices and backlog) and death (the MQTT will).</summary>
internal sealed class SiteStatusFactory(AgentIdentity identity, DeviceHealthBoard health, ReadingBuffer buffer, TimeProvider time,
    BufferingReadingSink? sink = null)
{
    public SiteStatus Online()
    {
        var status = New(SiteStatus.Types.State.Online);
        foreach (var device in health.Snapshot())
        {
            var description = health.Describe(device.DeviceId);
            var info = new DeviceInfo
            {
                DeviceId = device.DeviceId,
                Healthy = device.Healthy,
                LastError = device.LastError ?? "",
                Endpoint = description?.Endpoint ?? "",
                UnitId = (uint)(description?.UnitId ?? 0),
                Manufacturer = description?.Manufacturer ?? "",
                Model = description?.Model ?? "",
                SerialNumber = description?.SerialNumber ?? "",
            };
            if (description is not null) info.ModelIds.AddRange(description.ModelIds.Select(m => (uint)m));
            status.Devices.Add(info);
        }
        var stats = buffer.GetStatistics();
        status.Buffer = new BufferStats
        {
            ReadingsBuffered = (ulong)stats.ReadingsBuffered,
            BytesOnDisk = (ulong)stats.BytesOnDisk,
            ReadingsEvictedTotal = (ulong)stats.ReadingsEvictedTotal,
            BytesWrittenPerDay = (ulong)stats.BytesWrittenPerDay,
            OldestBufferedTimeUs = (ulong)(stats.OldestTimeUs ?? 0),
            Unavailable = !buffer.IsHealthy,
            ReadingsHeldInMemory = (ulong)(sink?.ReadingsHeld ?? 0),
            ReadingsLostTotal = (ulong)(sink?.ReadingsLost ?? 0),
        };
        return status;
    }

    /// <summary>The death certificate, registered as the will when the session is set up.</summary>
    public SiteStatus Offline() => New(SiteStatus.Types.State.Offline);

    private SiteStatus New(SiteStatus.Types.State state) => new()
    {
        SiteId = identity.SiteId,
        AgentBootId = identity.BootId,
        AgentVersion = identity.Version,
        State = state,
        TimeUs = WireTime.ToMicroseconds(time.GetUtcNow()),
    };
}
