using Nexwatt.Bench.Harness;

namespace Nexwatt.Bench.Peers;

/// <summary>
/// The libmodbus server and client compiled from bench/peers/*.c with gcc into a temporary folder (no binaries
/// are committed), deleted on dispose.
/// </summary>
internal sealed class NativePeers : IDisposable
{
    private const string LibmodbusHint = "libmodbus-dev not installed: apt-get install -y libmodbus-dev";

    private readonly DirectoryInfo _folder;

    private NativePeers(DirectoryInfo folder, string server, string client, string libmodbusVersion)
    {
        _folder = folder;
        ServerPath = server;
        ClientPath = client;
        LibmodbusVersion = libmodbusVersion;
    }

    public string ServerPath { get; }
    public string ClientPath { get; }

    /// <summary>The version pkg-config reported for libmodbus, for the report.</summary>
    public string LibmodbusVersion { get; }

    /// <summary>Checks gcc, pkg-config and libmodbus, then compiles both peers.</summary>
    public static async Task<NativePeers> BuildAsync(CancellationToken cancellationToken)
    {
        var gcc = ProcessRunner.FindOnPath("gcc") ?? throw new BenchException("gcc not installed: apt-get install -y gcc");
        var pkgConfig = ProcessRunner.FindOnPath("pkg-config") ?? throw new BenchException($"pkg-config not found. {LibmodbusHint} (it brings pkg-config's file; install pkg-config too if missing)");
        var flags = await ProcessRunner.RunAsync(pkgConfig, ["--cflags", "--libs", "libmodbus"], TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        if (flags.ExitCode != 0) throw new BenchException($"{LibmodbusHint} (pkg-config: {flags.StandardError.Trim()})");
        var version = await ProcessRunner.RunAsync(pkgConfig, ["--modversion", "libmodbus"], TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);

        var folder = Directory.CreateTempSubdirectory("nexwatt-bench-");
        try
        {
            var libraryFlags = flags.StandardOutput.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var server = await CompileAsync(gcc, "libmodbus-server", folder.FullName, libraryFlags, cancellationToken).ConfigureAwait(false);
            var client = await CompileAsync(gcc, "libmodbus-client", folder.FullName, libraryFlags, cancellationToken).ConfigureAwait(false);
            return new NativePeers(folder, server, client, version.StandardOutput.Trim());
        }
        catch
        {
            folder.Delete(recursive: true);
            throw;
        }
    }

    internal static async Task<string> CompileAsync(string gcc, string name, string folder, string[] libraryFlags, CancellationToken cancellationToken)
    {
        var output = Path.Combine(folder, name);
        string[] arguments = ["-O2", "-Wall", "-Wextra", "-o", output, PeerSources.Path(name + ".c"), .. libraryFlags];
        Progress.Step($"gcc {string.Join(' ', arguments)}");
        var result = await ProcessRunner.RunAsync(gcc, arguments, TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            var hint = result.StandardError.Contains("modbus.h", StringComparison.Ordinal) ? $"\n{LibmodbusHint}" : "";
            throw new BenchException($"gcc failed to build {name}:\n{result.StandardError.Trim()}{hint}");
        }
        return output;
    }

    public void Dispose()
    {
        try { _folder.Delete(recursive: true); }
        catch (IOException) { }
    }
}
