using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.Collector.Domain;
using Nexwatt.Configuration;
using Nexwatt.Data.Sqlite;
using Npgsql;

namespace Nexwatt.Collector.Storage;

/// <summary>
/// Creates or migrates the schema before ingest accepts anything: once, whether the program asks first (to report a
/// failure as one line and an exit code) or the host's start does. A failure says which of two kinds it is: a
/// configuration mistake (wrong password, unknown database or user, a SQLite path that cannot be written) or a
/// database that cannot be reached now. Then it forgets latest values dated more than a day ahead (the most
/// <c>Collector:MaxSourceTimeAhead</c> allows): left by a device clock gone wrong before such readings were flagged,
/// they would pin an asset's latest value for good.
/// </summary>
internal sealed class CollectorStorageInitializer(ICollectorStore store, IOptions<CollectorStorageOptions> options, IHostEnvironment environment,
    TimeProvider time, ILogger<CollectorStorageInitializer> logger) : IHostedService
{
    private const string Key = CollectorStorageOptions.SectionName;
    private readonly Lock _gate = new();
    private Task? _initialized;

    public Task StartAsync(CancellationToken cancellationToken) => InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <exception cref="InvalidConfigurationException">The store refuses this configuration.</exception>
    /// <exception cref="StorageUnavailableException">The database cannot be reached.</exception>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        lock (_gate) return _initialized ??= InitializeOnceAsync(cancellationToken);
    }

    private async Task InitializeOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        try
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            var after = time.GetUtcNow().AddDays(1);
            if (await store.ForgetLatestAfterAsync(after, cancellationToken).ConfigureAwait(false) is > 0 and var forgotten)
                StorageLog.FutureLatestForgotten(logger, forgotten, after);
        }
        catch (PostgresException ex) when (IsConfigurationFault(ex.SqlState))
        {
            // MessageText names the user or database, never the password.
            throw new InvalidConfigurationException([$"{Key}:ConnectionString: PostgreSQL at {Server(settings)} refused the connection: {ex.MessageText} (SQLSTATE {ex.SqlState})."]);
        }
        catch (NpgsqlException ex) when (ex is not PostgresException)
        {
            var reason = ex.InnerException is { } inner and not NpgsqlException ? inner.Message : ex.Message;
            throw new StorageUnavailableException($"{Key}: PostgreSQL at {Server(settings)} cannot be reached: {reason}", ex);
        }
        catch (Exception ex) when (settings.EffectiveProvider == CollectorStorageOptions.Sqlite && ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidConfigurationException([$"{Key}:SqlitePath '{settings.EffectiveSqlitePath(environment.ContentRootPath)}' cannot be opened: {ex.Message}"]);
        }
    }

    // Class 28: invalid authorization (wrong password, unknown user, pg_hba refusal); 3D000: no such database;
    // 42501: the user may not create the schema.
    private static bool IsConfigurationFault(string sqlState) => sqlState.StartsWith("28", StringComparison.Ordinal) || sqlState is "3D000" or "42501";

    private static string Server(CollectorStorageOptions settings)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
            return $"{builder.Host}:{builder.Port}/{builder.Database} as {builder.Username}";
        }
        catch (ArgumentException)
        {
            return "(the configured server)";
        }
    }
}
