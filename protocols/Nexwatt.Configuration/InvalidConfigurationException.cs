namespace Nexwatt.Configuration;

/// <summary>
/// The configuration cannot be used: each problem is one line that names its key (or file and line). Hosts print
/// the lines and exit with 78 (EX_CONFIG), without a stack trace: the mistake is the installer's, not the code's.
/// </summary>
public sealed class InvalidConfigurationException(IReadOnlyList<string> problems, IReadOnlyList<string>? warnings = null)
    : Exception(string.Join(Environment.NewLine, problems))
{
    /// <summary>One line per problem.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;

    /// <summary>Unknown keys found beside the problems (often their cause: a typo'd key leaves a default in place).</summary>
    public IReadOnlyList<string> Warnings { get; } = warnings ?? [];
}
