using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// One connected uplink session as the pump sees it: MQTT today, gRPC streaming later. A batch counts as
/// delivered only when <see cref="SendAsync"/> returns, i.e. once the far side acknowledged it.
/// </summary>
internal interface IBatchTransport
{
    /// <summary>Sends one batch and waits for its acknowledgement; throws when the session is lost.</summary>
    ValueTask SendAsync(TelemetryBatch batch, CancellationToken cancellationToken);
}
