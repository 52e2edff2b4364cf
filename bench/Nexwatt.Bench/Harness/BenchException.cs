namespace Nexwatt.Bench.Harness;

/// <summary>A failure the user can act on (a missing peer, a peer that did not start); printed without a stack trace.</summary>
internal sealed class BenchException(string message, Exception? innerException = null) : Exception(message, innerException);
