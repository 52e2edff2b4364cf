namespace Nexwatt.Collector.Dispatch;

/// <summary>
/// Dispatch storage: instructions, allocation spans, setpoints with their acknowledgements, and the event log.
/// Implemented by both collector stores (SQLite and PostgreSQL) on the same database as telemetry.
/// </summary>
public interface IDispatchStore
{
    Task InsertDispatchAsync(DispatchRecord dispatch, CancellationToken cancellationToken);

    Task<DispatchRecord?> GetDispatchAsync(string dispatchId, CancellationToken cancellationToken);

    /// <summary>Dispatches not yet completed, oldest first.</summary>
    Task<IReadOnlyList<DispatchRecord>> ListOpenDispatchesAsync(CancellationToken cancellationToken);

    Task UpdateDispatchAsync(string dispatchId, string status, double megawattsExpected, CancellationToken cancellationToken);

    Task InsertSpansAsync(IReadOnlyList<AllocationSpan> spans, CancellationToken cancellationToken);

    /// <summary>Ends every span of the dispatch still open at <paramref name="at"/> there (a re-allocation takes over).</summary>
    Task CloseSpansAsync(string dispatchId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Every span of the dispatch, by revision then asset.</summary>
    Task<IReadOnlyList<AllocationSpan>> GetSpansAsync(string dispatchId, CancellationToken cancellationToken);

    Task InsertSetpointAsync(SetpointRecord setpoint, CancellationToken cancellationToken);

    /// <summary>
    /// Stores newly issued setpoints and marks every other setpoint of the same dispatch and site superseded, in one
    /// transaction (one commit for a whole fleet's issue).
    /// </summary>
    Task IssueSetpointsAsync(IReadOnlyList<SetpointRecord> setpoints, CancellationToken cancellationToken);

    Task<SetpointRecord?> GetSetpointAsync(string setpointId, CancellationToken cancellationToken);

    /// <summary>The setpoints with these ids (those that exist, in no particular order): one read for a batch of acknowledgements.</summary>
    Task<IReadOnlyList<SetpointRecord>> GetSetpointsByIdAsync(IReadOnlyCollection<string> setpointIds, CancellationToken cancellationToken);

    /// <summary>Every setpoint of the dispatch, in issue order.</summary>
    Task<IReadOnlyList<SetpointRecord>> GetSetpointsAsync(string dispatchId, CancellationToken cancellationToken);

    /// <summary>The site's setpoints not superseded and not expired at <paramref name="now"/>, in issue order.</summary>
    Task<IReadOnlyList<SetpointRecord>> GetLiveSetpointsAsync(string siteId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Marks the site's other setpoints of the dispatch superseded (a later one replaces them).</summary>
    Task SupersedeSetpointsAsync(string dispatchId, string siteId, string exceptSetpointId, CancellationToken cancellationToken);

    /// <summary>Records the site's answer; the state becomes acked if it was pending. False when no such setpoint.</summary>
    Task<bool> RecordAckAsync(string setpointId, string result, string? reason, double? measuredW, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Records a batch of acknowledgements and appends each one's site_acknowledged event, all in one transaction (one
    /// commit for the batch): per entry, in order, what <see cref="RecordAckAsync"/> then <see cref="AppendEventAsync"/>
    /// would do. Returns the appended events in the order of <paramref name="acks"/>; null where no such setpoint exists
    /// (nothing recorded, no event).
    /// </summary>
    Task<IReadOnlyList<DispatchEvent?>> RecordAcksAsync(IReadOnlyList<SetpointAckRecord> acks, CancellationToken cancellationToken);

    /// <summary>Appends an event with the next sequence number of the dispatch (1, 2, ...) and returns it.</summary>
    Task<DispatchEvent> AppendEventAsync(string dispatchId, DateTimeOffset time, string kind, string detail, CancellationToken cancellationToken);

    Task<IReadOnlyList<DispatchEvent>> GetEventsAsync(string dispatchId, CancellationToken cancellationToken);
}
