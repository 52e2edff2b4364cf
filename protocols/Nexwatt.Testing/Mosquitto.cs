using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Nexwatt.Testing;

/// <summary>How <see cref="Mosquitto.StartAsync"/> configures the broker.</summary>
public sealed class MosquittoOptions
{
    /// <summary>Adds a TLS listener (<see cref="Mosquitto.TlsPort"/>) with these certificates (CA, server certificate and key).</summary>
    public TestCertificates? Tls { get; init; }

    /// <summary>TLS listener demands a client certificate signed by the CA (<c>require_certificate true</c>).</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>User name → password. When set, anonymous clients are refused (password file via mosquitto_passwd).</summary>
    public IReadOnlyDictionary<string, string>? Users { get; init; }

    /// <summary>Plain listener port; 0 (the default) picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>TLS listener port; 0 (the default) picks a free one.</summary>
    public int TlsPort { get; init; }

    /// <summary>Keeps sessions and queued messages across <see cref="Mosquitto.StopAsync"/> / <see cref="Mosquitto.RestartAsync"/> (persistence file in the broker's folder).</summary>
    public bool Persistence { get; init; }

    /// <summary>
    /// A whole configuration instead of the generated persistence, authentication and listeners (a shipped mosquitto.conf,
    /// rewritten for the test): called with the free port to listen on (127.0.0.1), which is the one probed and
    /// <see cref="Mosquitto.Port"/>. Logging lines are still added first.
    /// </summary>
    public Func<int, string>? Configuration { get; init; }

    /// <summary>Extra lines appended to mosquitto.conf.</summary>
    public IReadOnlyList<string> ExtraConfiguration { get; init; } = [];

    /// <summary>The broker executable.</summary>
    public string Executable { get; init; } = "/usr/sbin/mosquitto";

    /// <summary>How long to wait for the broker to listen.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// A real Mosquitto broker for tests, on 127.0.0.1 and free ports, in its own temporary folder. Starting waits
/// until the broker says it is running and every port accepts connections; a broker that cannot start fails the
/// test with its log. <see cref="StopAsync"/> (SIGTERM) / <see cref="Kill"/> (SIGKILL) simulate outages and
/// <see cref="RestartAsync"/> brings it back on the same ports.
/// <code>
/// await using var broker = await Mosquitto.StartAsync(new MosquittoOptions { Tls = certs, RequireClientCertificate = true });
/// </code>
/// </summary>
public sealed class Mosquitto : IAsyncDisposable
{
    private readonly MosquittoOptions _options;
    private readonly string _configFile;
    private readonly StringBuilder _previousLogs = new();
    private PeerProcess? _process;

    private Mosquitto(MosquittoOptions options, string directory, int port, int? tlsPort)
    {
        _options = options;
        Directory = directory;
        Port = port;
        TlsPort = tlsPort;
        _configFile = Path.Combine(directory, "mosquitto.conf");
    }

    /// <summary>The plain MQTT listener port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The TLS listener port on 127.0.0.1 (null without <see cref="MosquittoOptions.Tls"/>).</summary>
    public int? TlsPort { get; }

    /// <summary>"127.0.0.1".</summary>
    public string Host => "127.0.0.1";

    /// <summary>The broker's folder (config, password file, persistence).</summary>
    public string Directory { get; }

    /// <summary>The configuration file.</summary>
    public string ConfigFile => _configFile;

    /// <summary>True while the broker process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Everything the broker logged, over all its runs.</summary>
    public string Log => _previousLogs + (_process?.Log ?? "");

    /// <summary>Writes the configuration, starts the broker and waits until it accepts connections.</summary>
    public static async Task<Mosquitto> StartAsync(MosquittoOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MosquittoOptions();
        if (!File.Exists(options.Executable))
            throw new InvalidOperationException($"{options.Executable} is missing; run bash scripts/test.sh, which installs the test peers (mosquitto).");
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            // A free port is found by binding port 0 and releasing it: another process may take it in between, so a
            // bind failure is retried on new ports.
            var port = options.Port != 0 ? options.Port : FreePort();
            int? tlsPort = options.Tls is null || options.Configuration is not null ? null : options.TlsPort != 0 ? options.TlsPort : FreePort();
            var directory = Path.Combine(Path.GetTempPath(), "nexwatt-mosquitto-" + Guid.NewGuid().ToString("N")[..12]);
            System.IO.Directory.CreateDirectory(directory);
            var broker = new Mosquitto(options, directory, port, tlsPort);
            try
            {
                await broker.WriteConfigurationAsync(cancellationToken).ConfigureAwait(false);
                await broker.LaunchAsync(cancellationToken).ConfigureAwait(false);
                return broker;
            }
            catch (InvalidOperationException ex) when (attempt < attempts && options.Port == 0 && ex.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
                await broker.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await broker.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Stops the broker with SIGTERM (it saves persistence and closes connections), waiting for it to exit.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_process is not { } process) return;
        if (!process.HasExited && Interop.Kill(process.Id, Interop.SigTerm) != 0) process.Kill();
        try
        {
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await RetireAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Kills the broker with SIGKILL: an abrupt outage (connections reset, nothing saved).</summary>
    public void Kill() => _process?.Kill();

    /// <summary>Starts the broker again on the same ports with the same configuration (stopping it first if it runs).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (_process is { HasExited: false }) await StopAsync(cancellationToken).ConfigureAwait(false);
        else await RetireAsync().ConfigureAwait(false);
        await LaunchAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await RetireAsync().ConfigureAwait(false);
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private async Task RetireAsync()
    {
        if (_process is not { } process) return;
        _process = null;
        await process.DisposeAsync().ConfigureAwait(false);
        _previousLogs.Append(process.Log);
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var process = PeerProcess.Start(_options.Executable, ["-c", _configFile], workingDirectory: Directory);
        _process = process;
        // "mosquitto version X running" comes after every listener is bound; a config or bind error exits instead,
        // and WaitForLineAsync then fails with the broker's log.
        await process.WaitForLineAsync(line => line.Contains(" running", StringComparison.Ordinal), _options.StartTimeout, cancellationToken).ConfigureAwait(false);
        foreach (var port in TlsPort is { } tls ? new[] { Port, tls } : [Port])
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"Mosquitto said it runs but port {port} refuses connections ({ex.SocketErrorCode}). Its log:\n{Log}", ex);
            }
        }
    }

    private async Task WriteConfigurationAsync(CancellationToken cancellationToken)
    {
        var config = new StringBuilder();
        // Started as root, mosquitto drops to user "mosquitto" before reading certificates in our root-only folder.
        config.AppendLine("user root");
        config.AppendLine("log_dest stderr"); // stdout is block-buffered when not a terminal
        config.AppendLine("log_type error");
        config.AppendLine("log_type warning");
        config.AppendLine("log_type notice");
        config.AppendLine("log_type information");
        config.AppendLine("connection_messages true");
        config.AppendLine("log_timestamp true");
        if (_options.Configuration is { } whole)
        {
            config.AppendLine(whole(Port));
            await File.WriteAllTextAsync(_configFile, config.ToString(), cancellationToken).ConfigureAwait(false);
            return;
        }
        if (_options.Persistence)
        {
            config.AppendLine("persistence true");
            config.AppendLine($"persistence_location {Directory}{Path.DirectorySeparatorChar}");
            config.AppendLine("autosave_interval 1");
        }
        else
        {
            config.AppendLine("persistence false");
        }
        if (_options.Users is { Count: > 0 } users)
        {
            var passwordFile = Path.Combine(Directory, "passwd");
            var first = true;
            foreach (var (user, password) in users)
            {
                var arguments = first ? new[] { "-b", "-c", passwordFile, user, password } : ["-b", passwordFile, user, password];
                first = false;
                await using var tool = PeerProcess.Start("/usr/bin/mosquitto_passwd", arguments);
                var code = await tool.WaitForExitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                if (code != 0) throw new InvalidOperationException($"mosquitto_passwd exited with {code}: {tool.Log}");
            }
            config.AppendLine("allow_anonymous false");
            config.AppendLine($"password_file {passwordFile}");
        }
        else
        {
            config.AppendLine("allow_anonymous true");
        }
        config.AppendLine($"listener {Port} 127.0.0.1");
        if (_options.Tls is { } tls && TlsPort is { } tlsPort)
        {
            config.AppendLine($"listener {tlsPort} 127.0.0.1");
            config.AppendLine($"cafile {tls.CaCertificateFile}");
            config.AppendLine($"certfile {tls.ServerCertificateFile}");
            config.AppendLine($"keyfile {tls.ServerKeyFile}");
            config.AppendLine($"require_certificate {(_options.RequireClientCertificate ? "true" : "false")}");
        }
        foreach (var line in _options.ExtraConfiguration) config.AppendLine(line);
        await File.WriteAllTextAsync(_configFile, config.ToString(), cancellationToken).ConfigureAwait(false);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static class Interop
    {
        public const int SigTerm = 15;

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
