namespace Nexwatt.Collector.Storage;

/// <summary>
/// The database cannot be reached now (refused, unknown host, timed out): not a configuration mistake as far as the
/// collector can tell. The collector exits 69 (EX_UNAVAILABLE) with this one line, and systemd's Restart=on-failure
/// tries again; a database that answers and refuses the credentials is a configuration error instead (exit 78).
/// </summary>
public sealed class StorageUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
