namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>The far side refused a batch for good (malformed, say): sending it again unchanged cannot succeed.</summary>
internal sealed class BatchRejectedException(string message) : Exception(message);
