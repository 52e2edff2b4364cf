using Grpc.Core;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// How the agent answers a failed call to the collector, decided here once by status code for the upload, the
/// setpoint stream and the acknowledgements alike.
/// </summary>
internal static class GrpcRetry
{
    /// <summary>The wait after a refusal.</summary>
    public static readonly TimeSpan RefusedDelay = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The status a failed call is judged by: its own, except that a call that never reached the collector (the
    /// connection or the TLS handshake failed: grpc-dotnet reports a refused connection as Unavailable but an
    /// untrusted certificate as Internal) is Unavailable, as the path is what failed.
    /// </summary>
    public static StatusCode StatusOf(RpcException failure) =>
        failure.Status.DebugException is HttpRequestException ? StatusCode.Unavailable : failure.StatusCode;

    /// <summary>
    /// True for what a failed call can throw: its status, or, from a write on a request stream whose connection was
    /// reset, the transport's own exception (grpc-dotnet passes those on as they are).
    /// </summary>
    public static bool IsCallFailure(Exception failure) => failure is RpcException or IOException or HttpRequestException;

    /// <summary>The status a failure from <see cref="IsCallFailure"/> is judged by: a transport exception is Unavailable.</summary>
    public static StatusCode StatusOf(Exception failure) => failure is RpcException rpc ? StatusOf(rpc) : StatusCode.Unavailable;

    /// <summary>A short description for the log: the status and its detail, or the transport's message.</summary>
    public static string Describe(Exception failure) => failure is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : failure.Message;

    /// <summary>
    /// True when the same call may succeed soon: the collector or the path is down, slow or busy (Unavailable,
    /// DeadlineExceeded, ResourceExhausted, Aborted, Internal, Unknown, Cancelled by the peer). False when the collector
    /// answered that this site or this message is refused (Unauthenticated, PermissionDenied, InvalidArgument,
    /// FailedPrecondition, NotFound, Unimplemented, ...): retrying at once cannot change its answer.
    /// </summary>
    public static bool IsTransient(StatusCode status) => status is StatusCode.Unavailable or StatusCode.DeadlineExceeded
        or StatusCode.ResourceExhausted or StatusCode.Aborted or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled;

    /// <summary>
    /// The wait before attempt <paramref name="failures"/> + 1: the projects' one reconnect backoff (protocols/Shared,
    /// exponential from 1 s to 32 s with equal jitter) for a transient failure, so that sites do not return in step after
    /// a collector restart; the <see cref="RefusedDelay"/> at once for a refusal, which needs an operator (a revoked
    /// certificate, a wrong token), not a retry storm, yet is retried because an edge site has nobody to restart it.
    /// </summary>
    public static TimeSpan Delay(StatusCode status, int failures, Random jitter) =>
        IsTransient(status) ? Protocols.ReconnectBackoff.Delay(Math.Max(1, failures), MinDelay, MaxDelay, jitter) : RefusedDelay;

    private static readonly TimeSpan MinDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(32);
}
