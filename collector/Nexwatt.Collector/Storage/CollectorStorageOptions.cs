namespace Nexwatt.Collector.Storage;

/// <summary>The collector's storage: configuration section "Collector:Storage".</summary>
public sealed class CollectorStorageOptions
{
    public const string SectionName = "Collector:Storage";

    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>"sqlite" or "postgres". Empty: postgres when <see cref="ConnectionString"/> is set, else sqlite.</summary>
    public string Provider { get; set; } = "";

    /// <summary>
    /// The embedded database file. Empty means collector.db in $STATE_DIRECTORY when systemd sets it (the unit's
    /// StateDirectory=), else in the content root. A relative path is taken from the content root.
    /// </summary>
    public string SqlitePath { get; set; } = "";

    /// <summary>An Npgsql connection string (it may hold a password: it is never logged nor echoed in errors).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The provider in effect: <see cref="Provider"/> in lower case, or the one inferred.</summary>
    public string EffectiveProvider => Provider is { Length: > 0 } p
        ? p.Trim().ToLowerInvariant()
        : ConnectionString.Length > 0 ? Postgres : Sqlite;

    /// <summary>The SQLite file to use: <see cref="SqlitePath"/> resolved against the content root, or collector.db in the state directory.</summary>
    public string EffectiveSqlitePath(string contentRoot) =>
        SqlitePath.Length > 0 ? Path.GetFullPath(SqlitePath, contentRoot) : Path.Combine(CollectorStateDirectory.Resolve(), "collector.db");
}
