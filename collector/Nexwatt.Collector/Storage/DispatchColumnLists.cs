namespace Nexwatt.Collector.Storage;

/// <summary>
/// The dispatch tables' column lists, in the order both stores select and insert them: the row readers of both
/// read by these positions, so the lists are written once.
/// </summary>
internal static class DispatchColumnLists
{
    public const string DispatchColumns =
        "dispatch_id, resource_id, iso_zone, direction, mw_requested, window_start, window_end, status, created_at, mw_expected";

    public const string SpanColumns =
        "dispatch_id, revision, asset_id, site_id, device_id, program, kw, limit_kw, reason, from_time, to_time";

    public const string SetpointColumns =
        "setpoint_id, dispatch_id, site_id, revision, issued_at, start_at, expires_at, signed, state, ack_result, ack_reason, measured_w, acked_at";
}
