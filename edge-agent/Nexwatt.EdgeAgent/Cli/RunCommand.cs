using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Nexwatt.Configuration;
using Nexwatt.EdgeAgent.Hosting;

namespace Nexwatt.EdgeAgent.Cli;

/// <summary>`nexwatt-agent run`: the long-running worker that systemd starts.</summary>
internal static class RunCommand
{
    /// <summary>sysexits.h EX_CONFIG: systemd's RestartPreventExitStatus keeps a misconfigured agent from crash-looping.</summary>
    public const int ConfigurationError = 78;

    private const string Prefix = "nexwatt-agent: ";

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
            catch (Exception ex) when (ex is InvalidConfigurationException or FileNotFoundException or InvalidDataException or FormatException)
            {
                await ReportAsync(ex).ConfigureAwait(false);
                return ConfigurationError;
            }

            using (host)
            {
                try
                {
                    AgentHost.CheckBeforeStart(host);
                }
                catch (InvalidConfigurationException ex)
                {
                    await ReportAsync(ex).ConfigureAwait(false);
                    return ConfigurationError;
                }
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
        });
        return command;
    }

    private static Task ReportAsync(Exception exception) => ConfigurationErrorReport.WriteAsync(Console.Error, Prefix, exception);
}
