namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>One site's MQTT subtree (documented in protos/README.md).</summary>
internal sealed record Topics(string Prefix, string SiteId)
{
    public string Telemetry => $"{Prefix}/{SiteId}/telemetry";
    public string Status => $"{Prefix}/{SiteId}/status";
    public string Setpoints => $"{Prefix}/{SiteId}/setpoints";
    public string Acks => $"{Prefix}/{SiteId}/acks";
}
