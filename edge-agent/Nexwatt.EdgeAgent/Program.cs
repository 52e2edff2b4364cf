using System.CommandLine;
using Nexwatt.EdgeAgent.Cli;

// One binary for the service and for the technician: `nexwatt-agent` (or `run`) is the worker,
// `read` and `scan` are bench commands that need no configuration file.
var root = new RootCommand("Nexwatt edge agent: polls SunSpec devices on a site gateway.");
var run = RunCommand.Create();
root.Subcommands.Add(run);
root.Subcommands.Add(ReadCommand.Create());
root.Subcommands.Add(ScanCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
foreach (var option in run.Options) root.Options.Add(option);
root.Action = run.Action;
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
