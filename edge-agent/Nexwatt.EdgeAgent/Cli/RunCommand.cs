using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Hosting;

namespace Nexwatt.EdgeAgent.Cli;

/// <summary>`nexwatt-agent run`: the long-running worker that systemd starts.</summary>
internal static class RunCommand
{
    /// <summary>sysexits.h EX_CONFIG: systemd's RestartPreventExitStatus keeps a misconfigured agent from crash-looping.</summary>
    public const int ConfigurationError = 78;

    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config", "-c") { Description = "An extra JSON configuration file, applied over appsettings.json and /etc/nexwatt/agent.json." };
        var command = new Command("run", "Run the agent: poll every configured or discovered device until stopped.") { config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            IHost host;
            try
            {
                host = AgentHost.Build(parse.GetValue(config)?.FullName);
            }
            catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or FormatException)
            {
                await Console.Error.WriteLineAsync($"nexwatt-agent: configuration error: {ex.Message}").ConfigureAwait(false);
                return ConfigurationError;
            }

            using (host)
            {
                try
                {
                    await host.RunAsync(cancellationToken).ConfigureAwait(false);
                    return 0;
                }
                catch (OptionsValidationException ex)
                {
                    await Console.Error.WriteLineAsync("nexwatt-agent: the configuration is not valid:").ConfigureAwait(false);
                    foreach (var failure in ex.Failures)
                        await Console.Error.WriteLineAsync($"  - {failure}").ConfigureAwait(false);
                    return ConfigurationError;
                }
                catch (InvalidOperationException ex) when (ex.InnerException is FormatException or InvalidOperationException)
                {
                    // Binding failed: a value that is not a number, a duration or a boolean where one is expected.
                    await Console.Error.WriteLineAsync($"nexwatt-agent: the configuration is not valid: {ex.Message} {ex.InnerException?.Message}").ConfigureAwait(false);
                    return ConfigurationError;
                }
            }
        });
        return command;
    }
}
