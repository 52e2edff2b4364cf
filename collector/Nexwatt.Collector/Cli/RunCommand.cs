using System.CommandLine;
using Microsoft.AspNetCore.Connections;
using Nexwatt.Collector.Hosting;
using Nexwatt.Collector.Storage;
using Nexwatt.Configuration;

namespace Nexwatt.Collector.Cli;

/// <summary>
/// `nexwatt-collector [run]`: the server. Expected failures at start are one line on stderr and an exit code from
/// sysexits.h, never a stack trace: 78 (EX_CONFIG) for a configuration mistake, which systemd should not restart, and
/// 69 (EX_UNAVAILABLE) for something that may come back by itself: a database that cannot be reached now, or a port
/// that another process holds.
/// </summary>
internal static class RunCommand
{
    public const int ConfigurationError = 78;
    public const int Unavailable = 69;
    private const string Prefix = "nexwatt-collector: ";

    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config", "-c")
        {
            Description = "A JSON configuration file read instead of /etc/nexwatt/collector.json (as NEXWATT_COLLECTOR_CONFIG).",
        };
        var command = new Command("run", "Run the collector until stopped (the default command).") { config };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(config), [.. parse.UnmatchedTokens], cancellationToken));
        return command;
    }

    /// <param name="hostArguments">Left to ASP.NET Core's command-line configuration, e.g. --Collector:Port=50061.</param>
    private static async Task<int> RunAsync(FileInfo? config, string[] hostArguments, CancellationToken cancellationToken)
    {
        if (config is not null)
        {
            if (!config.Exists)
            {
                await Console.Error.WriteLineAsync($"{Prefix}configuration error: --config '{config.FullName}' does not exist.").ConfigureAwait(false);
                return ConfigurationError;
            }
            // Read by CollectorHost.Build in place of /etc/nexwatt/collector.json, below the NEXWATT_ variables.
            Environment.SetEnvironmentVariable("NEXWATT_COLLECTOR_CONFIG", config.FullName);
        }

        WebApplication app;
        try
        {
            app = CollectorHost.Build(hostArguments);
        }
        catch (Exception ex) when (ex is InvalidConfigurationException or InvalidDataException or FileNotFoundException or FormatException)
        {
            await ReportAsync(ex).ConfigureAwait(false);
            return ConfigurationError;
        }

        await using (app.ConfigureAwait(false))
        {
            try
            {
                await CollectorHost.CheckBeforeStartAsync(app, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidConfigurationException ex)
            {
                await ReportAsync(ex).ConfigureAwait(false);
                return ConfigurationError;
            }
            catch (StorageUnavailableException ex)
            {
                await Console.Error.WriteLineAsync($"{Prefix}storage unavailable: {ex.Message}").ConfigureAwait(false);
                return Unavailable;
            }
            // Checked before the host starts, for the same one line: the host itself logs a failed bind with a stack trace.
            if (TakenPort(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CollectorOptions>>().Value) is { } taken)
            {
                await Console.Error.WriteLineAsync($"{Prefix}cannot listen: {taken} is already in use by another process; stop it or set " +
                    "Collector:Port / Collector:ManagementPort.").ConfigureAwait(false);
                return Unavailable;
            }
            try
            {
                await app.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (ex.InnerException is AddressInUseException)
            {
                // Kestrel: "Failed to bind to address http://127.0.0.1:50051: address already in use."
                await Console.Error.WriteLineAsync($"{Prefix}cannot listen: {ex.Message} Another process holds the port; stop it or set " +
                    "Collector:Port / Collector:ManagementPort.").ConfigureAwait(false);
                return Unavailable;
            }
            return 0;
        }
    }

    /// <summary>The first of the collector's two listen endpoints that another socket holds now; null when both are free.</summary>
    private static string? TakenPort(CollectorOptions options)
    {
        if (!System.Net.IPAddress.TryParse(options.ListenAddress, out var address)) return null;
        foreach (var port in new[] { options.Port, options.ManagementPort })
        {
            if (port == 0) continue;
            var probe = new System.Net.Sockets.TcpListener(address, port);
            try { probe.Start(); }
            catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
            {
                return $"{address}:{port}";
            }
            finally { probe.Stop(); }
        }
        return null;
    }

    private static Task ReportAsync(Exception exception) => ConfigurationErrorReport.WriteAsync(Console.Error, Prefix, exception);
}
