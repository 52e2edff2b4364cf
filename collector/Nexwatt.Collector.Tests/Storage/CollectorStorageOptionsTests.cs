using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Storage;
using Nexwatt.Collector.Storage.Postgres;
using Nexwatt.Collector.Storage.Sqlite;

namespace Nexwatt.Collector.Tests.Storage;

public sealed class CollectorStorageOptionsTests
{
    private const string Secret = "s3cr3t-Pa55";

    [Fact]
    public void The_provider_is_inferred_from_the_connection_string()
    {
        Assert.Equal("sqlite", new CollectorStorageOptions().EffectiveProvider);
        Assert.Equal("postgres", new CollectorStorageOptions { ConnectionString = "Host=db;Database=x" }.EffectiveProvider);
        Assert.Equal("postgres", new CollectorStorageOptions { Provider = " PostgreS " }.EffectiveProvider);
    }

    [Fact]
    public void A_relative_sqlite_path_is_taken_from_the_content_root()
    {
        Assert.Equal("/srv/collector/data/c.db", new CollectorStorageOptions { SqlitePath = "data/c.db" }.EffectiveSqlitePath("/srv/collector"));
        Assert.Equal("/var/lib/c.db", new CollectorStorageOptions { SqlitePath = "/var/lib/c.db" }.EffectiveSqlitePath("/srv/collector"));
    }

    [Theory]
    [InlineData("", "", "")]
    [InlineData("sqlite", "", "/tmp/c.db")]
    [InlineData("", "Host=db;Database=nexwatt;Username=u;Password=" + Secret, "")]
    public void Valid_settings_pass(string provider, string connectionString, string sqlitePath) =>
        Assert.True(Validate(new CollectorStorageOptions { Provider = provider, ConnectionString = connectionString, SqlitePath = sqlitePath }).Succeeded);

    [Theory]
    [InlineData("mysql", "", "Provider 'mysql' is unknown")]
    [InlineData("postgres", "", "ConnectionString is empty")]
    [InlineData("sqlite", "Host=db;Database=x", "remove the connection string")]
    [InlineData("", "Database=nexwatt;Password=" + Secret, "names no Host")]
    [InlineData("", "Host=db;Port=not-a-port;Password=" + Secret, "not a valid Npgsql connection string")]
    [InlineData("", "Host=db;Bogus=" + Secret, "not a valid Npgsql connection string")]
    public void Invalid_settings_fail_with_a_message_that_never_shows_the_password(string provider, string connectionString, string expected)
    {
        var result = Validate(new CollectorStorageOptions { Provider = provider, ConnectionString = connectionString });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Collector:Storage:", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_as_sqlite_path_is_refused()
    {
        var result = Validate(new CollectorStorageOptions { SqlitePath = Path.GetTempPath() });

        Assert.Contains("is a folder", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registration_builds_the_sqlite_store_by_default_in_the_state_directory_not_beside_the_binary()
    {
        var root = Path.Combine(Path.GetTempPath(), "nexwatt-di-" + Guid.NewGuid().ToString("N")[..8]);
        await using var provider = Build(root, []);

        var store = Assert.IsType<SqliteCollectorStore>(provider.GetRequiredService<ICollectorStore>());

        Assert.Equal(Path.Combine(CollectorStateDirectory.Resolve(), "collector.db"), store.Path);
        Assert.False(store.Path.StartsWith(root, StringComparison.Ordinal));
        Assert.Contains(provider.GetServices<IHostedService>(), s => s.GetType().Name == "CollectorStorageInitializer");
    }

    [Theory]
    [InlineData("/run/state/a:/run/state/b", null, true, "/run/state/a")]
    [InlineData(null, "/xdg", true, "/var/lib/nexwatt-collector")]
    [InlineData(null, "/xdg", false, "/xdg/nexwatt-collector")]
    [InlineData(null, null, false, "/home/op/.local/state/nexwatt-collector")]
    public void The_state_directory_is_systemds_then_var_lib_when_writable_then_per_user(string? state, string? xdg, bool varLibWritable, string expected)
    {
        var environment = new Dictionary<string, string?> { ["STATE_DIRECTORY"] = state, ["XDG_STATE_HOME"] = xdg, ["HOME"] = "/home/op" };
        Assert.Equal(expected, CollectorStateDirectory.Resolve(name => environment.GetValueOrDefault(name), path => varLibWritable && path == CollectorStateDirectory.SystemPath));
    }

    [Fact]
    public async Task Registration_builds_the_postgres_store_when_a_connection_string_is_given()
    {
        await using var provider = Build("/tmp", new() { ["Collector:Storage:ConnectionString"] = "Host=127.0.0.1;Database=x;Password=" + Secret });

        Assert.IsType<PostgresCollectorStore>(provider.GetRequiredService<ICollectorStore>());
    }

    [Fact]
    public async Task Registration_refuses_invalid_settings()
    {
        await using var provider = Build("/tmp", new() { ["Collector:Storage:Provider"] = "oracle" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ICollectorStore>());
        Assert.Contains("oracle", error.Message, StringComparison.Ordinal);
    }

    private static ValidateOptionsResult Validate(CollectorStorageOptions options) =>
        new CollectorStorageOptionsValidator().Validate(null, options);

    private static ServiceProvider Build(string contentRoot, Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = contentRoot });
        services.AddCollectorStorage(configuration);
        return services.BuildServiceProvider();
    }
}
