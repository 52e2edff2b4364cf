using System.Text.RegularExpressions;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Uplink;

/// <summary>
/// Debian's python3-grpcio as an independent gRPC peer (peers/grpc_peer.py). Message stubs are generated at test time
/// with protoc --python_out from protos/nexwatt/v1 (Debian's python3-grpc-tools 1.14 bundles a protoc too old for
/// proto3 "optional"; /usr/bin/protoc from protobuf-compiler is 3.21). A peer that cannot start fails the test with its log.
/// </summary>
internal static partial class GrpcioPeer
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _stubs;

    public static string Script => Path.Combine(AppContext.BaseDirectory, "peers", "grpc_peer.py");

    /// <summary>The folder of generated Python messages (once per test run).</summary>
    public static async Task<string> StubsAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_stubs is not null) return _stubs;
            var output = Path.Combine(Path.GetTempPath(), "nexwatt-grpc-stubs-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(output);
            var protos = Path.Combine(RepoPaths.Root, "protos");
            var files = Directory.GetFiles(Path.Combine(protos, "nexwatt", "v1"), "*.proto").Select(f => Path.GetRelativePath(protos, f)).Order();
            await using var protoc = PeerProcess.Start("/usr/bin/protoc", new[] { "-I", protos, "--python_out=" + output }.Concat(files), workingDirectory: protos);
            var code = await protoc.WaitForExitAsync(Timeout);
            if (code != 0) throw new InvalidOperationException($"protoc exited with {code}: {protoc.Log}");
            return _stubs = output;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Starts the grpcio server and returns it with its port.</summary>
    public static async Task<(PeerProcess Peer, int Port)> StartServerAsync()
    {
        var peer = DebianPython.Start(Script, await StubsAsync(), "server");
        try
        {
            var line = await peer.WaitForLineAsync(l => l.StartsWith("LISTENING ", StringComparison.Ordinal), Timeout);
            return (peer, int.Parse(Listening().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    [GeneratedRegex(@"LISTENING (\d+)")]
    private static partial Regex Listening();
}
