namespace Nexwatt.EdgeAgent.Buffer;

/// <summary>
/// The buffer could not store or change data right now (disk full, folder not writable, file damaged while
/// running). Transient: the buffer retries on later calls; a poller should count the loss and keep polling.
/// </summary>
public sealed class BufferUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
