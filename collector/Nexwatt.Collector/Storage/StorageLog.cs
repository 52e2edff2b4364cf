using Microsoft.Extensions.Logging;

namespace Nexwatt.Collector.Storage;

/// <summary>The collector storage's log messages: event ids 5100-5199.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(5100, LogLevel.Information, "Collector store: SQLite {Path} (WAL, synchronous=FULL), schema version {SchemaVersion}")]
    public static partial void SqliteOpened(ILogger logger, string path, int schemaVersion);

    // Never the connection string: it may hold a password.
    [LoggerMessage(5101, LogLevel.Information, "Collector store: PostgreSQL {Host}:{Port}/{Database} as {Username}, schema version {SchemaVersion}")]
    public static partial void PostgresOpened(ILogger logger, string? host, int port, string? database, string? username, int schemaVersion);

    [LoggerMessage(5102, LogLevel.Information, "Collector store schema created (version {SchemaVersion})")]
    public static partial void SchemaCreated(ILogger logger, int schemaVersion);

    [LoggerMessage(5103, LogLevel.Debug, "Stored {Inserted} of {Offered} readings; {Duplicates} already stored (redelivery) were skipped")]
    public static partial void ReadingsStored(ILogger logger, int inserted, int offered, int duplicates);

    [LoggerMessage(5104, LogLevel.Warning, "Collector store write hit a transient PostgreSQL error ({SqlState}); attempt {Attempt} of {Attempts} is retried")]
    public static partial void TransientRetry(ILogger logger, string sqlState, int attempt, int attempts, Exception exception);

    [LoggerMessage(5106, LogLevel.Warning, "Collector store: {Count} latest values dated after {After:O} forgotten (a device clock ahead); each asset's next sample sets them again")]
    public static partial void FutureLatestForgotten(ILogger logger, int count, DateTimeOffset after);

    [LoggerMessage(5105, LogLevel.Information, "Collector store closed")]
    public static partial void Closed(ILogger logger);
}
