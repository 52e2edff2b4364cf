using System.Collections;

namespace Nexwatt.Configuration;

/// <summary>
/// Environment variables under a host's prefix whose first section no options class reads: NEXWATT_Agnet__SiteId
/// would otherwise be dropped without a word, and the setting it meant to override keeps its old value.
/// </summary>
public static class EnvironmentCheck
{
    /// <param name="variables">The process environment (Environment.GetEnvironmentVariables()).</param>
    /// <param name="prefix">The prefix the host reads, e.g. "NEXWATT_".</param>
    /// <param name="knownSections">Top-level sections the host reads (Agent, Logging, ...).</param>
    /// <param name="otherVariables">Variables under the prefix that are not configuration keys (NEXWATT_CONFIG, ...).</param>
    public static IReadOnlyList<string> UnknownSections(IDictionary variables, string prefix, IReadOnlyCollection<string> knownSections, IReadOnlyCollection<string> otherVariables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var warnings = new List<string>();
        foreach (DictionaryEntry entry in variables)
        {
            if (entry.Key is not string name || !name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) continue;
            if (otherVariables.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
            var section = name[prefix.Length..].Split("__")[0];
            if (knownSections.Contains(section, StringComparer.OrdinalIgnoreCase)) continue;
            var closest = ClosestName.Find(section, knownSections);
            warnings.Add(closest is null
                ? $"environment variable {name}: '{section}' is not a known section; it is ignored (known: {string.Join(", ", knownSections)})."
                : $"environment variable {name}: '{section}' is not a known section; it is ignored (did you mean {prefix}{closest}__...?).");
        }
        warnings.Sort(StringComparer.Ordinal);
        return warnings;
    }
}
