using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>Runs the built agent binary as a separate process, the way a technician or systemd does.</summary>
internal static class AgentProcess
{
    public static PeerProcess Start(IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        // Each agent gets its own durable buffer unless the test names one: agents started side by side would
        // otherwise share (and lock) the same file under ~/.local/state.
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        env.TryAdd("NEXWATT_Agent__Buffer__Path", Path.Combine(Path.GetTempPath(), "nexwatt-agent-tests", Guid.NewGuid().ToString("N"), "buffer.db"));
        return EdgeAgentProcess.Start(arguments, env); // also: no metrics port, per-poll lines at Debug
    }

    /// <summary>Runs a command to completion and returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        await using var process = Start(arguments);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.Log);
    }

    /// <summary>The JSON document a command printed, without the progress lines it wrote to stderr.</summary>
    public static string JsonPart(string output)
    {
        var start = output.IndexOfAny(['{', '[']);
        var end = Math.Max(output.LastIndexOf('}'), output.LastIndexOf(']'));
        if (start < 0 || end < start) throw new Xunit.Sdk.XunitException($"No JSON in the output:\n{output}");
        return output[start..(end + 1)];
    }
}
