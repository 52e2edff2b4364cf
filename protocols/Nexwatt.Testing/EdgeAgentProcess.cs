namespace Nexwatt.Testing;

/// <summary>The real agent started by a test: the settings every test agent needs are set unless the test names its own.</summary>
public static class EdgeAgentProcess
{
    public static PeerProcess Start(IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        // Agents run side by side in tests: none may hold the metrics endpoint's default port.
        env.TryAdd("NEXWATT_Agent__Metrics__Port", "0");
        // Tests watch the per-poll summary line, which is Debug (a journal gets a summary every few minutes).
        env.TryAdd("NEXWATT_Logging__LogLevel__Nexwatt.EdgeAgent.Readings.LogReadingSink", "Debug");
        return PeerProcess.StartDotnetTool("Nexwatt.EdgeAgent", "nexwatt-agent", arguments, env);
    }
}
