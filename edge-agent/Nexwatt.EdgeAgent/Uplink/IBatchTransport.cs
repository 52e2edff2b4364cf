using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// One connected uplink session as the pump sees it (MQTT or gRPC streaming). A batch counts as
/// delivered only when <see cref="SendAsync"/> returns, i.e. once the far side acknowledged it.
/// </summary>
internal interface IBatchTransport
{
    /// <summary>
    /// The largest encoded batch this session carries to the collector now. The pump splits anything larger: a message
    /// over what some hop accepts is refused or, worse, acknowledged by the broker and then dropped on the way.
    /// </summary>
    int MaxBatchBytes { get; }

    /// <summary>Sends one batch and waits for its acknowledgement; throws when the session is lost.</summary>
    ValueTask SendAsync(TelemetryBatch batch, CancellationToken cancellationToken);
}
