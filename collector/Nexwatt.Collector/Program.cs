using System.CommandLine;
using Nexwatt.Collector.Cli;

// The collector: gRPC telemetry ingest, MQTT ingest, normalization, the asset registry and the management API.
// `nexwatt-collector` (or `run`) is the server; `--help` says what it reads (collector/README.md has every setting).
var root = new RootCommand("""
    Nexwatt collector: gRPC and MQTT telemetry ingest, normalization, the asset registry, dispatch and the management API.

    Configuration, lowest precedence first: appsettings.json beside the binary, /etc/nexwatt/collector.json (or
    --config / NEXWATT_COLLECTOR_CONFIG), then NEXWATT_ environment variables (NEXWATT_Collector__Port=50051).
    Listeners: Collector:Port (50051) for sites (gRPC), Collector:ManagementPort (50052) for the management API,
    /metrics, /readyz and /healthz. Management calls need a token from Collector:Management:Tokens.
    Every setting: collector/README.md. Exit codes: 0 stopped, 78 configuration error, 69 database or port unavailable.
    """);
var run = RunCommand.Create();
root.Subcommands.Add(run);
foreach (var option in run.Options) root.Options.Add(option);
root.TreatUnmatchedTokensAsErrors = false;
root.Action = run.Action;
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
