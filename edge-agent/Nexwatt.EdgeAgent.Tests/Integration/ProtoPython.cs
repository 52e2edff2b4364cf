using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>Python message classes generated from protos/ by Debian's protoc, for an independent decoder.</summary>
internal static class ProtoPython
{
    public static async Task<string> GenerateAsync(string directory)
    {
        var protos = Path.Combine(RepoPaths.Root, "protos");
        var files = Directory.GetFiles(Path.Combine(protos, "nexwatt", "v1"), "*.proto").Select(f => Path.GetRelativePath(protos, f));
        await using var protoc = PeerProcess.Start("/usr/bin/protoc", new[] { "-I", protos, $"--python_out={directory}" }.Concat(files));
        var code = await protoc.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(code == 0, $"protoc failed:\n{protoc.Log}");
        return directory;
    }
}
