using Nexwatt.Collector.Dispatch;
using Nexwatt.Collector.Identity;
using Nexwatt.Collector.Storage;
using Nexwatt.Configuration;

namespace Nexwatt.Collector.Hosting;

/// <summary>
/// The collector's configuration checked as text before it is bound: a value that would not bind is an error (inside
/// a list or dictionary the binder would drop the element without a word), a key no option reads is a warning with
/// the closest known key, and "5s"-style durations are rewritten for the binder.
/// </summary>
internal static class CollectorConfigurationCheck
{
    /// <summary>Sections read under NEXWATT_: the collector's own, the framework's, and the agent's (one environment may serve both).</summary>
    internal static readonly string[] TopLevelSections = [CollectorOptions.SectionName, DispatchOptions.SectionName, "Logging", "Kestrel", "AllowedHosts", "Agent"];

    /// <summary>Variables under the prefix that are not configuration keys.</summary>
    internal static readonly string[] OtherVariables = ["NEXWATT_CONFIG", "NEXWATT_COLLECTOR_CONFIG", "NEXWATT_SHARED_REFERENCE"];

    private static readonly ConfigurationCheck Check = new(new Dictionary<string, Type>
    {
        [CollectorOptions.SectionName] = typeof(CollectorOptions),
        [CollectorStorageOptions.SectionName] = typeof(CollectorStorageOptions),
        [ManagementOptions.SectionName] = typeof(ManagementOptions),
        [DispatchOptions.SectionName] = typeof(DispatchOptions),
    });

    /// <summary>Checks <paramref name="configuration"/>, layers the rewritten durations over it and returns the warnings.</summary>
    /// <exception cref="InvalidConfigurationException">Some value would not bind.</exception>
    public static IReadOnlyList<string> Apply(IConfigurationManager configuration, System.Collections.IDictionary environment)
    {
        var report = Check.Check(((IConfiguration)configuration).AsEnumerable());
        var warnings = report.Warnings.Concat(EnvironmentCheck.UnknownSections(environment, CollectorHost.EnvironmentPrefix, TopLevelSections, OtherVariables)).ToList();
        if (report.Errors.Count > 0) throw new InvalidConfigurationException(report.Errors, warnings);
        if (report.Normalized.Count > 0) configuration.AddInMemoryCollection(report.Normalized);
        return warnings;
    }
}
