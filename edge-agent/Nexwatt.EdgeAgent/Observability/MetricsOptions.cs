namespace Nexwatt.EdgeAgent.Configuration
{
    public sealed partial class AgentOptions
    {
        /// <summary>The Prometheus endpoint with /metrics, /healthz and /readyz (section "Agent:Metrics").</summary>
        public Observability.MetricsOptions Metrics { get; set; } = new();

        /// <summary>When the agent counts itself unhealthy (section "Agent:Health").</summary>
        public Observability.HealthOptions Health { get; set; } = new();
    }
}

namespace Nexwatt.EdgeAgent.Observability
{
    /// <summary>Where the agent answers scrapes and health probes: http://Address:Port/metrics, /healthz, /readyz.</summary>
    public sealed class MetricsOptions
    {
        /// <summary>The OpenTelemetry Prometheus exporter's usual port; 0 turns the endpoint off.</summary>
        public int Port { get; set; } = 9464;

        /// <summary>Loopback by default: the figures say what runs on the site. "0.0.0.0" or a LAN address opens it up.</summary>
        public string Address { get; set; } = "127.0.0.1";
    }

    /// <summary>The thresholds behind /readyz, the status command and the systemd watchdog.</summary>
    public sealed class HealthOptions
    {
        /// <summary>Unhealthy when no device at all was read for this many poll intervals (of the slowest device).</summary>
        public int StaleDeviceIntervals { get; set; } = 3;

        /// <summary>Unhealthy when the uplink delivered nothing for this long while readings wait in the buffer.</summary>
        public TimeSpan UplinkStallAfter { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>Unhealthy when the buffer file is at least this share of Agent:Buffer:MaxBytes (eviction is near).</summary>
        public int BufferNearlyFullPercent { get; set; } = 90;
    }
}
