using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Domain;
using Nexwatt.Data.Sqlite;

namespace Nexwatt.Collector.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with two connections, a writer and a reader, each used by one
/// caller at a time. synchronous=FULL because an UploadAck promises "durably stored": with NORMAL a power cut may
/// lose the last commits of an acknowledged batch, which the edge has already deleted.
/// </summary>
public sealed partial class SqliteCollectorStore : ICollectorStore
{
    private const int CancellationCheckRows = 1024;

    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _readGate = new(1, 1);
    private SqliteDatabase? _write;
    private SqliteDatabase? _read;
    private WriteStatements? _statements;
    private int _disposed;

    public SqliteCollectorStore(string path, ILogger<SqliteCollectorStore> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        _logger = logger;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (_write is not null) return;
            if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } folder) Directory.CreateDirectory(folder);
            var write = SqliteDatabase.Open(Path, readOnly: false);
            SqliteDatabase? read = null;
            try
            {
                write.Execute("PRAGMA journal_mode = WAL");
                write.Execute("PRAGMA synchronous = FULL");
                var created = CreateSchema(write);
                read = SqliteDatabase.Open(Path, readOnly: false);
                read.Execute("PRAGMA query_only = 1");
                _statements = new WriteStatements(write);
                _read = read;
                _write = write;
                if (created) StorageLog.SchemaCreated(_logger, StorageCodes.SchemaVersion);
                StorageLog.SqliteOpened(_logger, Path, StorageCodes.SchemaVersion);
            }
            catch
            {
                read?.Dispose();
                write.Dispose();
                throw;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _writeGate.WaitAsync().ConfigureAwait(false);
        await _readGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_write is null) return;
            _statements?.Dispose();
            _read?.Dispose();
            _write.Dispose();
            _statements = null;
            _read = null;
            _write = null;
            StorageLog.Closed(_logger);
        }
        finally
        {
            // A call after dispose then finds no connection and fails at once instead of waiting forever.
            _readGate.Release();
            _writeGate.Release();
        }
    }

    private static bool CreateSchema(SqliteDatabase write)
    {
        using var transaction = write.BeginTransaction();
        write.Execute(SqliteSchema.Create);
        Migrate(write);
        var found = write.ScalarInt64("SELECT coalesce(max(version), 0) FROM schema_version");
        if (found > StorageCodes.SchemaVersion)
            throw new InvalidOperationException(
                $"The collector database has schema version {found}, newer than this collector's {StorageCodes.SchemaVersion} (a downgrade?); upgrade the collector.");
        if (found == 0) write.Execute($"INSERT INTO schema_version VALUES ({StorageCodes.SchemaVersion})");
        transaction.Commit();
        return found == 0;
    }

    // The work runs on the caller's thread once the gate is held: calls are short (one batch, one transaction), and
    // SQLite is in-process, so there is no I/O to await.
    private async Task<T> WriteAsync<T>(Func<SqliteDatabase, WriteStatements, T> work, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_write is null || _statements is null) throw NotInitialized();
            return work(_write, _statements);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task<T> ReadAsync<T>(Func<SqliteDatabase, T> work, CancellationToken cancellationToken)
    {
        await _readGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return work(_read ?? throw NotInitialized());
        }
        finally
        {
            _readGate.Release();
        }
    }

    private static InvalidOperationException NotInitialized() =>
        new("The collector store is not open: call InitializeAsync first (AddCollectorStorage does it at host start).");

    private static void CheckCancellation(int row, CancellationToken cancellationToken)
    {
        if (row % CancellationCheckRows == 0) cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>The writer's statements, prepared once and reused for every row.</summary>
    private sealed class WriteStatements(SqliteDatabase write) : IDisposable
    {
        public SqliteStatement InsertReading { get; } = write.Prepare(SqliteSchema.InsertReading);
        public SqliteStatement InsertSample { get; } = write.Prepare(SqliteSchema.InsertSample);
        public SqliteStatement UpsertLatest { get; } = write.Prepare(SqliteSchema.UpsertLatest);
        public SqliteStatement UpsertInterval { get; } = write.Prepare(SqliteSchema.UpsertInterval);
        public SqliteStatement InsertGap { get; } = write.Prepare(SqliteSchema.InsertGap);

        public void Dispose()
        {
            InsertReading.Dispose();
            InsertSample.Dispose();
            UpsertLatest.Dispose();
            UpsertInterval.Dispose();
            InsertGap.Dispose();
        }
    }
}
