namespace Nexwatt.Protos;

/// <summary>
/// The MQTT topics of a site, <c>{prefix}/{site}/{leaf}</c> (protos/README.md): built by the agent, subscribed to and
/// parsed by the collector, from this one definition. A site id never holds '/', '+' or '#'.
/// </summary>
public static class SiteTopics
{
    /// <summary>Agent → collector: telemetry batches.</summary>
    public const string Telemetry = "telemetry";

    /// <summary>Agent → collector: the site's status (retained; the will says offline).</summary>
    public const string Status = "status";

    /// <summary>Collector → agent: signed setpoints.</summary>
    public const string Setpoints = "setpoints";

    /// <summary>Agent → collector: setpoint acknowledgements.</summary>
    public const string Acks = "acks";

    /// <summary>The topic of one site's <paramref name="leaf"/>.</summary>
    public static string For(string prefix, string siteId, string leaf) => $"{prefix}/{siteId}/{leaf}";

    /// <summary>The filter matching <paramref name="leaf"/> of every site.</summary>
    public static string EverySite(string prefix, string leaf) => $"{prefix}/+/{leaf}";

    /// <summary>The site of <c>{prefix}/{site}/{leaf}</c>; null for any other topic (another leaf, a nested or empty site).</summary>
    public static string? SiteOf(string prefix, string topic, string leaf)
    {
        if (topic.Length <= prefix.Length + leaf.Length + 2
            || !topic.StartsWith(prefix, StringComparison.Ordinal) || topic[prefix.Length] != '/'
            || !topic.EndsWith(leaf, StringComparison.Ordinal) || topic[^(leaf.Length + 1)] != '/')
            return null;
        var site = topic[(prefix.Length + 1)..^(leaf.Length + 1)];
        return site.Length == 0 || site.AsSpan().IndexOfAny('/', '+', '#') >= 0 ? null : site;
    }
}
