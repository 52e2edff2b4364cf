namespace Nexwatt.EdgeAgent.Configuration
{
    public sealed partial class AgentOptions
    {
        /// <summary>
        /// The Unix socket `nexwatt-agent status` asks (Agent:StatusSocket). The packaged unit's RuntimeDirectory makes
        /// the default folder; "" turns the socket off.
        /// </summary>
        public string StatusSocket { get; set; } = Observability.Status.StatusSocketPaths.Default;
    }
}

namespace Nexwatt.EdgeAgent.Observability.Status
{
    /// <summary>
    /// Where the status socket lives. The default folder exists only under systemd (RuntimeDirectory=nexwatt-agent);
    /// elsewhere (a developer, a test) the agent falls back to $XDG_RUNTIME_DIR/nexwatt-agent, then to the buffer's
    /// folder, and the status command looks in the same places in the same order, so both agree without a setting.
    /// </summary>
    internal static class StatusSocketPaths
    {
        public const string Default = "/run/nexwatt-agent/status.sock";

        /// <summary>The places to use, best first: only the configured one when it is not the default.</summary>
        public static IReadOnlyList<string> Candidates(string configured, string bufferPath)
        {
            if (configured.Length == 0) return [];
            if (configured != Default) return [configured];
            var candidates = new List<string> { Default };
            if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime)
                candidates.Add(Path.Combine(runtime, "nexwatt-agent", "status.sock"));
            if (Path.GetDirectoryName(Path.GetFullPath(bufferPath)) is { Length: > 0 } state)
                candidates.Add(Path.Combine(state, "status.sock"));
            return candidates;
        }
    }
}
