using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Storage.Sqlite;
using Nexwatt.Data.Sqlite;

namespace Nexwatt.Collector.Tests.Storage;

/// <summary>The store suite against the embedded store, in a temporary file per test.</summary>
public sealed class SqliteCollectorStoreTests : CollectorStoreTests
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nexwatt-store-" + Guid.NewGuid().ToString("N")[..12]);

    private string DatabasePath => Path.Combine(_folder, "nested", "collector.db");

    protected override Task CreateDatabaseAsync() => Task.CompletedTask; // the store creates its folder and file

    protected override ICollectorStore OpenStore() => new SqliteCollectorStore(DatabasePath, NullLogger<SqliteCollectorStore>.Instance);

    protected override Task<long> ScalarAsync(string sql)
    {
        // SQLite has no boolean type; the suite's bare boolean columns read as 0/1 integers, which WHERE accepts.
        using var db = SqliteDatabase.Open(DatabasePath, readOnly: true);
        return Task.FromResult(db.ScalarInt64(sql));
    }

    protected override Task ExecuteAsync(string sql)
    {
        using var db = SqliteDatabase.Open(DatabasePath, readOnly: false);
        db.Execute(sql);
        return Task.CompletedTask;
    }

    protected override Task DropDatabaseAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void The_file_is_in_wal_mode()
    {
        using var db = SqliteDatabase.Open(DatabasePath, readOnly: true);
        Assert.Equal("wal", db.ScalarText("PRAGMA journal_mode"));
    }
}
