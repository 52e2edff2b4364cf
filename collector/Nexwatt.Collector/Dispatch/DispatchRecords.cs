using Nexwatt.Collector.Dispatch.Allocation;

namespace Nexwatt.Collector.Dispatch;

/// <summary>Where a dispatch stands: allocated and waiting for acknowledgements, confirmed by every site, or over.</summary>
public static class DispatchStatus
{
    public const string Active = "active";
    public const string Confirmed = "confirmed";
    public const string Completed = "completed";
}

/// <summary>One ISO instruction as stored: what was asked, for which window, and what the fleet is expected to give.</summary>
public sealed record DispatchRecord(
    string DispatchId,
    string ResourceId,
    string IsoZone,
    DispatchDirection Direction,
    double MegawattsRequested,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    string Status,
    DateTimeOffset CreatedAt,
    double MegawattsExpected);

/// <summary>
/// One asset's instructed share over [From, To). Revision 0 is the first allocation; each re-allocation adds a
/// revision from its time on and closes the spans of the previous one at that time.
/// </summary>
public sealed record AllocationSpan(
    string DispatchId,
    int Revision,
    string AssetId,
    string SiteId,
    string DeviceId,
    string Program,
    double Kilowatts,
    double LimitKw,
    string Reason,
    DateTimeOffset From,
    DateTimeOffset To);

/// <summary>Delivery state of a setpoint: sent and not yet acknowledged, acknowledged, or replaced by a later one.</summary>
public static class SetpointState
{
    public const string Pending = "pending";
    public const string Acked = "acked";
    public const string Superseded = "superseded";
}

/// <summary>A setpoint as issued (its signed bytes, exactly as delivered) and what the site answered.</summary>
public sealed record SetpointRecord(
    string SetpointId,
    string DispatchId,
    string SiteId,
    int Revision,
    DateTimeOffset IssuedAt,
    DateTimeOffset StartAt,
    DateTimeOffset ExpiresAt,
    ReadOnlyMemory<byte> Signed,
    string State,
    string? AckResult = null,
    string? AckReason = null,
    double? MeasuredW = null,
    DateTimeOffset? AckedAt = null);

/// <summary>
/// A site's answer to one of <see cref="DispatchId"/>'s setpoints as recorded at <see cref="At"/> (when the collector
/// received it), with the detail (a JSON object) of the site_acknowledged event that goes with it.
/// </summary>
public sealed record SetpointAckRecord(
    string SetpointId,
    string DispatchId,
    string Result,
    string? Reason,
    double? MeasuredW,
    DateTimeOffset At,
    string EventDetail);

/// <summary>One entry of a dispatch's event log; <see cref="Detail"/> is a JSON object.</summary>
public sealed record DispatchEvent(string DispatchId, long Sequence, DateTimeOffset Time, string Kind, string Detail);

/// <summary>The event kinds of the dispatch log.</summary>
public static class DispatchEventKinds
{
    public const string InstructionReceived = "instruction_received";
    public const string Allocated = "allocated";
    public const string SetpointsIssued = "setpoints_issued";
    public const string SiteAcknowledged = "site_acknowledged";
    public const string DispatchConfirmed = "dispatch_confirmed";
    public const string SiteFailed = "site_failed";
    public const string Reallocated = "reallocated";
    public const string WindowEnded = "window_ended";
    public const string SettlementGenerated = "settlement_generated";
}
