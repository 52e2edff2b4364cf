using System.Net;
using System.Net.Sockets;
using Nexwatt.Testing;
using Npgsql;

namespace Nexwatt.Collector.Tests.Hosting;

/// <summary>
/// The real collector binary started with a bad configuration or an unusable database: one line per problem on
/// stderr, exit 78 for a configuration mistake and 69 for a database that cannot be reached, never "Hosting failed to
/// start", "Unhandled exception" (exit 134) or a stack trace.
/// </summary>
public class CollectorStartFailureTests
{
    private static PeerProcess Start(Dictionary<string, string> environment)
    {
        // Free ports and a private SQLite file, unless the test says otherwise.
        environment.TryAdd("NEXWATT_Collector__Port", "0");
        environment.TryAdd("NEXWATT_Collector__ManagementPort", "0");
        environment.TryAdd("NEXWATT_COLLECTOR_CONFIG", "/nonexistent/collector.json");
        if (!environment.ContainsKey("NEXWATT_Collector__Storage__ConnectionString"))
            environment.TryAdd("NEXWATT_Collector__Storage__SqlitePath", Path.Combine(Directory.CreateTempSubdirectory("nexwatt-collector-").FullName, "collector.db"));
        return PeerProcess.StartDotnetTool("Nexwatt.Collector", "nexwatt-collector", [], environment);
    }

    private static async Task<string[]> RunExpectingFailureAsync(int expectedCode, Dictionary<string, string> environment)
    {
        await using var collector = Start(environment);
        var code = await collector.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var log = collector.Log;
        Assert.True(code == expectedCode, $"exit code {code}, expected {expectedCode}:\n{log}");
        Assert.DoesNotContain("Hosting failed to start", log);
        Assert.DoesNotContain("Unhandled exception", log);
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", log);
        // Information lines (the store closing on the way out) are not problems; every other line is.
        return log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).Where(l => !l.Contains(" info: ", StringComparison.Ordinal)).ToArray();
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_value_that_does_not_bind_is_one_line_naming_the_key_and_the_form()
    {
        var lines = await RunExpectingFailureAsync(78, new() { ["NEXWATT_Collector__Port"] = "5oo51", ["NEXWATT_Dispatch__ConfirmTimeout"] = "ten seconds" });
        Assert.Equal(
        [
            "nexwatt-collector: configuration error: Collector:Port '5oo51' is not a whole number.",
            "nexwatt-collector: configuration error: Dispatch:ConfirmTimeout 'ten seconds' is not a duration such as '500ms', '5s', '1.5m', '1h' or '00:00:05'.",
        ], lines);
    }

    [Fact]
    public async Task An_unknown_log_level_is_one_line_not_an_unhandled_exception()
    {
        var lines = await RunExpectingFailureAsync(78, new() { ["NEXWATT_Logging__Console__LogLevel__Default"] = "Verbose" });
        Assert.Equal(["nexwatt-collector: configuration error: Logging:Console:LogLevel:Default 'Verbose' is not a log level; use one of Trace, Debug, Information, Warning, Error, Critical, None."], lines);
    }

    [Fact]
    public async Task A_management_token_hash_that_can_never_match_is_refused_at_start()
    {
        var lines = await RunExpectingFailureAsync(78, new() { ["NEXWATT_Collector__Management__TokenSha256__0"] = "my-admin-token" });
        Assert.Equal(["nexwatt-collector: configuration error: Collector:Management:TokenSha256:0 is not a SHA-256 in hex (64 characters 0-9a-f; this one has 14); e.g. `printf %s TOKEN | sha256sum`."], lines);
    }

    [Fact]
    public async Task A_signing_key_file_that_is_not_a_key_is_one_line_not_an_abort()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("nexwatt-collector-").FullName, "key.pem");
        await File.WriteAllTextAsync(file, "not a key\n");
        var lines = await RunExpectingFailureAsync(78, new() { ["NEXWATT_Dispatch__SigningKeyFile"] = file });
        Assert.Equal([$"nexwatt-collector: configuration error: Dispatch:SigningKeyFile: the signing key '{file}' cannot be used: it is not a PEM private key (PKCS#8 or SEC1, EC P-256)"], lines);
    }

    [Fact]
    public async Task A_validation_failure_is_one_line_and_typos_are_warned_with_the_closest_known_key()
    {
        var lines = await RunExpectingFailureAsync(78, new()
        {
            ["NEXWATT_Collector__MqttIngest__Enabled"] = "true",
            ["NEXWATT_Collector__MqttIngest__Hots"] = "broker.example",
            ["NEXWATT_Colector__Port"] = "1",
            ["NEXWATT_Dispatch__ResendInterval"] = "5s",
        });
        Assert.Contains("nexwatt-collector: configuration error: Collector:MqttIngest:Host is empty.", lines);
        Assert.Contains(lines, l => l.EndsWith("Configuration: Collector:MqttIngest:Hots is not a known setting; it is ignored (did you mean Collector:MqttIngest:Host?).", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith("Configuration: environment variable NEXWATT_Colector__Port: 'Colector' is not a known section; it is ignored (did you mean NEXWATT_Collector__...?).", StringComparison.Ordinal));
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public async Task Invalid_json_names_the_file_the_line_and_the_reason()
    {
        var file = Path.Combine(Path.GetTempPath(), $"nexwatt-collector-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, "{\n  \"Collector\": {\n    \"Port\": 50051,,\n  }\n}\n");
        try
        {
            var lines = await RunExpectingFailureAsync(78, new() { ["NEXWATT_COLLECTOR_CONFIG"] = file });
            Assert.Equal([$"nexwatt-collector: configuration error: {file}: line 3, column 19: ',' is an invalid start of a property name. Expected a '\"'."], lines);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task A_wrong_postgres_password_is_a_configuration_error_in_one_line()
    {
        await using var server = await PostgresServer.StartAsync();
        var wrong = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("wrongpw")) { Password = "not-the-password" };
        var lines = await RunExpectingFailureAsync(78, new() { ["NEXWATT_Collector__Storage__ConnectionString"] = wrong.ConnectionString });
        var line = Assert.Single(lines);
        Assert.Equal($"nexwatt-collector: configuration error: Collector:Storage:ConnectionString: PostgreSQL at 127.0.0.1:{server.Port}/{wrong.Database} as {wrong.Username} "
            + $"refused the connection: password authentication failed for user \"{wrong.Username}\" (SQLSTATE 28P01).", line);
        Assert.DoesNotContain("not-the-password", line);
    }

    [Fact]
    public async Task A_postgres_server_that_cannot_be_reached_exits_69_in_one_line()
    {
        var port = ClosedPort();
        var lines = await RunExpectingFailureAsync(69, new()
        {
            ["NEXWATT_Collector__Storage__ConnectionString"] = $"Host=127.0.0.1;Port={port};Database=nexwatt;Username=collector;Password=secret;Timeout=5",
        });
        var line = Assert.Single(lines);
        Assert.StartsWith($"nexwatt-collector: storage unavailable: Collector:Storage: PostgreSQL at 127.0.0.1:{port}/nexwatt as collector cannot be reached: ", line);
        Assert.DoesNotContain("secret", line);
    }

    [Fact]
    public async Task A_connection_string_alone_selects_postgres_as_the_readme_says()
    {
        await using var server = await PostgresServer.StartAsync();
        var connectionString = await server.CreateDatabaseAsync("readme");
        await using var collector = Start(new() { ["NEXWATT_Collector__Storage__ConnectionString"] = connectionString });
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await collector.WaitForLineAsync(l => l.Contains($"Collector store: PostgreSQL 127.0.0.1:{server.Port}/{database}"), TimeSpan.FromSeconds(60));
        Assert.False(collector.HasExited, collector.Log);
    }
}
