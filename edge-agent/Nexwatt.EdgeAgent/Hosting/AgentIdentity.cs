namespace Nexwatt.EdgeAgent;

/// <summary>Who is talking: the site, this run of the agent (a new boot id at every start) and its version.</summary>
public sealed record AgentIdentity(string SiteId, string BootId, string Version)
{
    public static AgentIdentity ForSite(string siteId) => new(siteId, Guid.NewGuid().ToString("N"),
        typeof(AgentIdentity).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
}
