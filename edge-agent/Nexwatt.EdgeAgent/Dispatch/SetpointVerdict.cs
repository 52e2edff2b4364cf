using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>What the verifier decided about one received setpoint.</summary>
internal abstract record SetpointVerdict
{
    /// <summary>Trusted, for this site, in time and new: go on to the limit checks.</summary>
    public sealed record Accepted(Setpoint Setpoint) : SetpointVerdict;

    /// <summary>Answer with a rejection and write nothing. <see cref="SetpointId"/> is empty when the bytes did not parse.</summary>
    public sealed record Rejected(string SetpointId, string DispatchId, string Reason) : SetpointVerdict;

    /// <summary>Already handled: answer <see cref="PreviousAck"/> again (null while the first copy waits for its start) and write nothing.</summary>
    public sealed record Duplicate(string SetpointId, SetpointAck? PreviousAck) : SetpointVerdict;
}
