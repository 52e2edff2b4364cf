using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Nexwatt.Testing;

/// <summary>
/// A throwaway PostgreSQL 15 cluster for tests: initdb into a temporary folder, started with pg_ctl on 127.0.0.1 and
/// a free port (as the <c>postgres</c> user when the tests run as root: the server refuses root). TCP connections
/// need a password (scram-sha-256); the Unix socket in the cluster's folder trusts its owner, which is how this
/// class creates roles and databases. A cluster that cannot start fails the test with its log; disposing stops it
/// (<c>pg_ctl stop -m immediate</c>) and deletes the folder.
/// <code>
/// await using var server = await PostgresServer.StartAsync();
/// var connectionString = await server.CreateDatabaseAsync("store_test");
/// </code>
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>Where Debian's postgresql package puts the server binaries.</summary>
    public const string DefaultBinDirectory = "/usr/lib/postgresql/15/bin";

    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);
    private readonly string _binDirectory;
    private readonly bool _asPostgresUser;
    private int _databases;

    private PostgresServer(string directory, string binDirectory, bool asPostgresUser, int port, string password)
    {
        Directory = directory;
        _binDirectory = binDirectory;
        _asPostgresUser = asPostgresUser;
        Port = port;
        Password = password;
    }

    /// <summary>The cluster's folder: data, Unix socket and server.log.</summary>
    public string Directory { get; }

    public int Port { get; }

    /// <summary>"127.0.0.1".</summary>
    public string Host => "127.0.0.1";

    /// <summary>The password of every role this server creates (random per server).</summary>
    public string Password { get; }

    private string DataDirectory => Path.Combine(Directory, "data");

    private string LogFile => Path.Combine(Directory, "server.log");

    /// <summary>What the server logged so far.</summary>
    public string Log => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no server log)";

    /// <summary>Creates, starts and waits for a fresh cluster (a few seconds: initdb dominates).</summary>
    public static async Task<PostgresServer> StartAsync(string binDirectory = DefaultBinDirectory, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Path.Combine(binDirectory, "initdb")))
            throw new InvalidOperationException(
                $"PostgreSQL is missing ({binDirectory}/initdb); run bash scripts/test.sh, which installs it (apt-get install -y postgresql).");
        var asPostgresUser = Environment.UserName == "root";
        var directory = Path.Combine(Path.GetTempPath(), "nexwatt-pg-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        var server = new PostgresServer(directory, binDirectory, asPostgresUser, 0, password);
        try
        {
            if (asPostgresUser) await server.RunAsync("/usr/bin/chown", ["postgres:postgres", directory], cancellationToken).ConfigureAwait(false);
            var passwordFile = Path.Combine(directory, "pwfile");
            await File.WriteAllTextAsync(passwordFile, password + "\n", cancellationToken).ConfigureAwait(false);
            if (asPostgresUser) await server.RunAsync("/usr/bin/chown", ["postgres:postgres", passwordFile], cancellationToken).ConfigureAwait(false);
            await server.RunToolAsync("initdb",
                ["-D", server.DataDirectory, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", $"--pwfile={passwordFile}",
                 "--encoding=UTF8", "--locale=C.UTF-8"], cancellationToken).ConfigureAwait(false);
            File.Delete(passwordFile);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        // A free port is found by binding port 0 and releasing it: another process may take it in between, so a bind
        // failure is retried on a new port.
        for (var attempt = 1; ; attempt++)
        {
            var started = new PostgresServer(directory, binDirectory, asPostgresUser, FreePort(), password);
            try
            {
                await started.RunToolAsync("pg_ctl",
                    ["-D", started.DataDirectory, "-l", started.LogFile, "-w", "-t", "60",
                     "-o", $"-p {started.Port} -k {directory} -c listen_addresses=127.0.0.1", "start"], cancellationToken).ConfigureAwait(false);
                return started;
            }
            catch (InvalidOperationException) when (attempt < 3 && started.Log.Contains("could not bind", StringComparison.Ordinal))
            {
            }
            catch
            {
                await started.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// Creates a role and a database it owns (from template0, so it is empty), and returns an Npgsql connection
    /// string that logs in over TCP with the role's password.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test", CancellationToken cancellationToken = default)
    {
        var name = $"{Sanitize(prefix)}_{Interlocked.Increment(ref _databases)}";
        await PsqlAsync($"CREATE ROLE {name} LOGIN PASSWORD '{Password}'", cancellationToken).ConfigureAwait(false);
        await PsqlAsync($"CREATE DATABASE {name} OWNER {name} TEMPLATE template0", cancellationToken).ConfigureAwait(false);
        return $"Host={Host};Port={Port};Database={name};Username={name};Password={Password}";
    }

    /// <summary>Runs SQL as the superuser over the cluster's Unix socket.</summary>
    public Task PsqlAsync(string sql, CancellationToken cancellationToken = default) =>
        RunToolAsync("psql", ["-h", Directory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres",
            "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Port != 0 && File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            try { await RunToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None).ConfigureAwait(false); }
            catch (InvalidOperationException) { }
            catch (TimeoutException) { }
        }
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private Task RunToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(_binDirectory, tool);
        return _asPostgresUser
            ? RunAsync("/usr/sbin/runuser", ["-u", "postgres", "--", executable, .. arguments], cancellationToken)
            : RunAsync(executable, arguments, cancellationToken);
    }

    private async Task RunAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        await using var process = PeerProcess.Start(fileName, arguments, workingDirectory: Directory);
        var code = await process.WaitForExitAsync(ToolTimeout, cancellationToken).ConfigureAwait(false);
        if (code != 0)
            throw new InvalidOperationException(
                $"'{fileName} {string.Join(' ', arguments)}' exited with {code}:\n{process.Log}\nServer log:\n{Log}");
    }

    private static string Sanitize(string prefix)
    {
        var clean = new string(prefix.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        return clean.Length == 0 || char.IsAsciiDigit(clean[0]) ? "t" + clean : clean;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
