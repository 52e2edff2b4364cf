using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Storage.Postgres;
using Nexwatt.Testing;
using Npgsql;

namespace Nexwatt.Collector.Tests.Storage;

/// <summary>One throwaway PostgreSQL cluster for the whole class; every test gets a fresh database in it.</summary>
public sealed class PostgresClusterFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Server.DisposeAsync();
    }
}

/// <summary>The store suite against PostgreSQL 15 (a real server started by the fixture; never skipped).</summary>
public sealed class PostgresCollectorStoreTests(PostgresClusterFixture cluster) : CollectorStoreTests, IClassFixture<PostgresClusterFixture>
{
    private string _connectionString = "";

    protected override async Task CreateDatabaseAsync() => _connectionString = await cluster.Server.CreateDatabaseAsync("store", Ct);

    protected override ICollectorStore OpenStore() => new PostgresCollectorStore(_connectionString, NullLogger<PostgresCollectorStore>.Instance);

    protected override async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    [Fact]
    public async Task The_schema_version_is_recorded()
    {
        Assert.Equal(1, await ScalarAsync("SELECT version FROM schema_version"));
    }
}
