using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Nexwatt.Collector.Storage.Postgres;

/// <summary>
/// The scale-out store: PostgreSQL through one <see cref="NpgsqlDataSource"/> (a connection pool), which this
/// store owns. Bulk writes COPY (binary): readings and samples seen for the first time straight into their table
/// under per-site locks, everything else into a per-transaction staging table merged with one INSERT ... SELECT
/// (redelivered readings: an anti-join; samples and intervals: ON CONFLICT), so a batch costs a few round trips whatever its size. Commits use the server's
/// synchronous_commit (on by default): an acknowledged batch is on disk.
/// </summary>
public sealed partial class PostgresCollectorStore : ICollectorStore
{
    private const int WriteAttempts = 3;
    private const int DefaultWriteBufferSize = 8192;
    private const int BatchWriteBufferSize = 256 * 1024;

    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlConnectionStringBuilder _settings;
    private readonly ILogger _logger;

    /// <param name="connectionString">An Npgsql connection string; it may hold a password and is never logged.</param>
    public PostgresCollectorStore(string connectionString, ILogger<PostgresCollectorStore> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName))
            builder.ConnectionStringBuilder.ApplicationName = "nexwatt-collector";
        // The same few statements run all day: let Npgsql prepare them on the server.
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
        // COPY rows are written synchronously into Npgsql's write buffer (see the Telemetry part). With the default
        // 8 KB buffer a batch of 1,000 readings (~130 KB) meant a dozen blocking socket sends per batch on pool
        // threads: with many concurrent uploads PostgreSQL sat waiting for our data (wait event ClientRead) while
        // the thread pool starved. A buffer that holds a whole batch sends it once, asynchronously, at completion.
        if (builder.ConnectionStringBuilder.WriteBufferSize == DefaultWriteBufferSize) builder.ConnectionStringBuilder.WriteBufferSize = BatchWriteBufferSize;
        _settings = builder.ConnectionStringBuilder;
        _dataSource = builder.Build();
        _logger = logger;
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var created = await WriteAsync(async (connection, transaction, ct) =>
        {
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({PostgresSchema.InitializationLockKey})", ct).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, PostgresSchema.Create, ct).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, DispatchSchema, ct).ConfigureAwait(false);
            await using var version = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM schema_version", connection, transaction);
            var found = Convert.ToInt32(await version.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            if (found > StorageCodes.SchemaVersion)
                throw new InvalidOperationException(
                    $"The collector database has schema version {found}, newer than this collector's {StorageCodes.SchemaVersion} (a downgrade?); upgrade the collector.");
            if (found == 0)
                await ExecuteAsync(connection, transaction, $"INSERT INTO schema_version VALUES ({StorageCodes.SchemaVersion})", ct).ConfigureAwait(false);
            return found == 0;
        }, cancellationToken).ConfigureAwait(false);
        if (created) StorageLog.SchemaCreated(_logger, StorageCodes.SchemaVersion);
        StorageLog.PostgresOpened(_logger, _settings.Host, _settings.Port, _settings.Database, _settings.Username, StorageCodes.SchemaVersion);
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        StorageLog.Closed(_logger);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction and commits it. A deadlock or serialization failure rolls the
    /// whole batch back, so it is retried from the start (the batch is idempotent anyway).
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                var result = await work(connection, transaction, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
            catch (PostgresException ex) when (attempt < WriteAttempts
                && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                StorageLog.TransientRetry(_logger, ex.SqlState, attempt, WriteAttempts, ex);
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ExecuteCountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a query with positional parameters ($1, $2...) and maps every row.</summary>
    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) rows.Add(map(reader));
        return rows;
    }

    private async Task ExecuteAsync(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlParameter<T> Parameter<T>(T value) => new() { TypedValue = value };

    private static NpgsqlParameter Nullable(object? value, NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };
}
