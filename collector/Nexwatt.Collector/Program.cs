using Nexwatt.Collector.Hosting;
using Nexwatt.Collector.Storage;
using Nexwatt.Configuration;

// The collector: gRPC telemetry ingest, MQTT ingest, normalization, the asset registry and the management API.
// Expected failures at start are one line on stderr and an exit code from sysexits.h, never a stack trace:
// 78 (EX_CONFIG) for a configuration mistake, which systemd should not restart, and 69 (EX_UNAVAILABLE) for a
// database that cannot be reached now, which it may.
const string prefix = "nexwatt-collector: ";
WebApplication app;
try
{
    app = CollectorHost.Build(args);
}
catch (Exception ex) when (ex is InvalidConfigurationException or InvalidDataException or FileNotFoundException or FormatException)
{
    await ReportAsync(ex).ConfigureAwait(false);
    return 78;
}

await using (app.ConfigureAwait(false))
{
    try
    {
        await CollectorHost.CheckBeforeStartAsync(app, CancellationToken.None).ConfigureAwait(false);
    }
    catch (InvalidConfigurationException ex)
    {
        await ReportAsync(ex).ConfigureAwait(false);
        return 78;
    }
    catch (StorageUnavailableException ex)
    {
        await Console.Error.WriteLineAsync($"{prefix}storage unavailable: {ex.Message}").ConfigureAwait(false);
        return 69;
    }
    await app.RunAsync().ConfigureAwait(false);
    return 0;
}

static async Task ReportAsync(Exception exception)
{
    var error = Console.Error;
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
