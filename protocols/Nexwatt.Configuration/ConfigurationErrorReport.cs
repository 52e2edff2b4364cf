namespace Nexwatt.Configuration;

/// <summary>
/// How a host reports a configuration it cannot start with: one line per problem on stderr, no stack trace, since
/// these are the installer's mistakes and each names its key or file. Shared by the agent and the collector.
/// </summary>
public static class ConfigurationErrorReport
{
    public static async Task WriteAsync(TextWriter error, string prefix, Exception exception)
    {
        switch (exception)
        {
            case InvalidConfigurationException invalid:
                foreach (var problem in invalid.Problems) await error.WriteLineAsync($"{prefix}configuration error: {problem}").ConfigureAwait(false);
                foreach (var warning in invalid.Warnings) await error.WriteLineAsync($"{prefix}configuration warning: {warning}").ConfigureAwait(false);
                break;
            case InvalidDataException:
                await error.WriteLineAsync($"{prefix}configuration error: {ConfigurationFileError.Describe(exception)}").ConfigureAwait(false);
                break;
            default:
                await error.WriteLineAsync($"{prefix}configuration error: {exception.Message}").ConfigureAwait(false);
                break;
        }
    }
}
