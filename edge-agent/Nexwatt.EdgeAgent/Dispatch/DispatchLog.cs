using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>Dispatch log messages, event ids 2500-2599.</summary>
internal static partial class DispatchLog
{
    [LoggerMessage(2500, LogLevel.Warning, "No collector key is pinned (Agent:Dispatch:CollectorPublicKeyFile or CollectorPublicKeyPem): every setpoint will be rejected and nothing written")]
    public static partial void NoKeyPinned(ILogger logger);

    [LoggerMessage(2501, LogLevel.Information, "Dispatch ready: collector key {KeyId} pinned, revert timeout {RevertTimeout}, re-assert every {ReassertInterval}")]
    public static partial void Ready(ILogger logger, string keyId, TimeSpan revertTimeout, TimeSpan reassertInterval);

    [LoggerMessage(2502, LogLevel.Warning, "Setpoint {SetpointId} rejected: {Reason}")]
    public static partial void Rejected(ILogger logger, string setpointId, string reason);

    [LoggerMessage(2503, LogLevel.Information, "Setpoint {SetpointId} is a duplicate; the earlier answer is repeated and nothing is written")]
    public static partial void Duplicate(ILogger logger, string setpointId);

    [LoggerMessage(2504, LogLevel.Information, "Setpoint {SetpointId} of dispatch {DispatchId} waits for its start at {Start:O}")]
    public static partial void Waiting(ILogger logger, string setpointId, string dispatchId, DateTimeOffset start);

    [LoggerMessage(2505, LogLevel.Information, "Setpoint {SetpointId} of dispatch {DispatchId}: {Result}, {Applied} target(s) held until {Expiry:O}, measured {MeasuredW} W")]
    public static partial void Applied(ILogger logger, string setpointId, string dispatchId, string result, int applied, DateTimeOffset expiry, double measuredW);

    [LoggerMessage(2506, LogLevel.Information, "Dispatch {DispatchId}: {DeviceId} restored to normal operation ({Why})")]
    public static partial void Restored(ILogger logger, string dispatchId, string deviceId, string why);

    [LoggerMessage(2507, LogLevel.Error, "Dispatch {DispatchId}: {DeviceId} could not be restored ({Why}); its revert timer ends the setpoint by itself")]
    public static partial void RestoreFailed(ILogger logger, string dispatchId, string deviceId, string why, Exception exception);

    [LoggerMessage(2508, LogLevel.Warning, "Dispatch {DispatchId}: re-asserting {DeviceId} failed: {Reason}")]
    public static partial void ReassertFailed(ILogger logger, string dispatchId, string deviceId, string reason);

    [LoggerMessage(2509, LogLevel.Warning, "Setpoint {SetpointId}: target {DeviceId} rejected: {Reason}")]
    public static partial void TargetRejected(ILogger logger, string setpointId, string deviceId, string reason);

    [LoggerMessage(2510, LogLevel.Information, "gRPC setpoint stream to {Address} started")]
    public static partial void StreamStarted(ILogger logger, string address);

    [LoggerMessage(2511, LogLevel.Warning, "gRPC setpoint stream ended: {Reason}; reconnecting in {RetryIn}")]
    public static partial void StreamEnded(ILogger logger, string reason, TimeSpan retryIn);

    [LoggerMessage(2512, LogLevel.Warning, "Acknowledgement of setpoint {SetpointId} not delivered ({Reason}); retrying in {RetryIn}")]
    public static partial void AckRetry(ILogger logger, string setpointId, string reason, TimeSpan retryIn);

    [LoggerMessage(2513, LogLevel.Warning, "Acknowledgement of setpoint {SetpointId} dropped: {Reason}")]
    public static partial void AckDropped(ILogger logger, string setpointId, string reason);
}
