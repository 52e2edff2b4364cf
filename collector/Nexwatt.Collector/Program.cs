using Microsoft.Extensions.Options;
using Nexwatt.Collector.Hosting;

// The collector: gRPC telemetry ingest, MQTT ingest, normalization, the asset registry and the management API.
try
{
    var app = CollectorHost.Build(args);
    await app.RunAsync().ConfigureAwait(false);
    return 0;
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("nexwatt-collector: the configuration is not valid:").ConfigureAwait(false);
    foreach (var failure in ex.Failures) await Console.Error.WriteLineAsync($"  - {failure}").ConfigureAwait(false);
    return 78;
}
