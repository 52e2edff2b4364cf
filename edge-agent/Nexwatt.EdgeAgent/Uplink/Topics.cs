using Nexwatt.Protos;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>One site's MQTT subtree (<see cref="SiteTopics"/>, documented in protos/README.md).</summary>
internal sealed record Topics(string Prefix, string SiteId)
{
    public string Telemetry => SiteTopics.For(Prefix, SiteId, SiteTopics.Telemetry);
    public string Status => SiteTopics.For(Prefix, SiteId, SiteTopics.Status);
    public string Setpoints => SiteTopics.For(Prefix, SiteId, SiteTopics.Setpoints);
    public string Acks => SiteTopics.For(Prefix, SiteId, SiteTopics.Acks);
}
