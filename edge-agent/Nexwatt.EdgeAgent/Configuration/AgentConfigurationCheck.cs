using Microsoft.Extensions.Configuration;
using Nexwatt.Configuration;

namespace Nexwatt.EdgeAgent.Configuration;

/// <summary>
/// The agent's configuration checked as text before it is bound: a value that would not bind is an error (inside
/// Agent:Devices the binder would drop the whole device without a word), a key no option reads is a warning with the
/// closest known key, and "5s"-style durations are rewritten for the binder.
/// </summary>
internal static class AgentConfigurationCheck
{
    /// <summary>Sections the agent reads; an environment variable for any other is a typo.</summary>
    internal static readonly string[] TopLevelSections = [AgentOptions.SectionName, "Logging"];

    /// <summary>Variables under the prefix that are not configuration keys.</summary>
    internal static readonly string[] OtherVariables = ["NEXWATT_CONFIG", "NEXWATT_COLLECTOR_CONFIG", "NEXWATT_SHARED_REFERENCE"];

    private static readonly ConfigurationCheck Check = new(new Dictionary<string, Type> { [AgentOptions.SectionName] = typeof(AgentOptions) });

    /// <summary>Checks <paramref name="configuration"/>, layers the rewritten durations over it and returns the warnings.</summary>
    /// <exception cref="InvalidConfigurationException">Some value would not bind.</exception>
    public static IReadOnlyList<string> Apply(IConfigurationManager configuration, System.Collections.IDictionary environment)
    {
        var report = Check.Check(((IConfiguration)configuration).AsEnumerable());
        var warnings = report.Warnings.Concat(EnvironmentCheck.UnknownSections(environment, Hosting.AgentHost.EnvironmentPrefix, TopLevelSections, OtherVariables)).ToList();
        if (report.Errors.Count > 0) throw new InvalidConfigurationException(report.Errors, warnings);
        if (report.Normalized.Count > 0) configuration.AddInMemoryCollection(report.Normalized);
        return warnings;
    }
}
