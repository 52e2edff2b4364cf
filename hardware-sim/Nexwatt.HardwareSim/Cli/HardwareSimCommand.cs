using System.CommandLine;
using Nexwatt.HardwareSim.Hosting;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.HardwareSim.Cli;

/// <summary>The command line: <c>hardware-sim serve ...</c>.</summary>
internal static class HardwareSimCommand
{
    /// <summary>Exit code for invalid flags or site file.</summary>
    public const int InvalidArguments = 2;

    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error, TextReader input)
    {
        var options = new ServeOptions();
        var serve = new Command("serve", "Serve simulated SunSpec devices over Modbus TCP, or an Enphase IQ Gateway (--enphase PORT).");
        var enphase = new Enphase.EnphaseServeOptions();
        foreach (var option in options.All.Concat(enphase.All)) serve.Options.Add(option);
        serve.SetAction(async (parse, cancellationToken) =>
        {
            var errors = new List<string>();
            if (parse.GetResult(enphase.Port) is not null) return await ServeEnphaseAsync(parse, enphase, options, output, error, cancellationToken).ConfigureAwait(false);
            var plan = ServePlanBinder.Bind(parse, options, errors);
            if (plan is null)
            {
                foreach (var message in errors) await error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
                await error.WriteLineAsync("Run 'hardware-sim serve --help' for the options.").ConfigureAwait(false);
                return InvalidArguments;
            }
            var catalog = SunSpecModelCatalog.LoadBuiltIn();
            var liveTable = !plan.Site.NoTable && !Console.IsOutputRedirected;
            var host = new SimulatorHost(plan, catalog, TimeProvider.System, output, error, SerialServePlan.From(parse));
            return await host.RunAsync(liveTable, input, cancellationToken).ConfigureAwait(false);
        });

        var root = new RootCommand("Nexwatt hardware simulator: SunSpec PV inverters and batteries over Modbus TCP, with fault injection.");
        root.Subcommands.Add(serve);
        root.Subcommands.Add(ServeMapCommand.Create(output, error));
        var parseResult = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = TimeSpan.FromSeconds(10) };
        var code = await parseResult.InvokeAsync(configuration).ConfigureAwait(false);
        // System.CommandLine answers its own parse errors with 1; make every usage error the same code.
        return parseResult.Errors.Count > 0 ? InvalidArguments : code;
    }

    private static async Task<int> ServeEnphaseAsync(ParseResult parse, Enphase.EnphaseServeOptions enphase, ServeOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var plan = Enphase.EnphaseGatewayPlan.Bind(parse, enphase, options, errors);
        if (plan is null)
        {
            foreach (var message in errors) await error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
            await error.WriteLineAsync("Run 'hardware-sim serve --help' for the options.").ConfigureAwait(false);
            return InvalidArguments;
        }
        return await Enphase.EnphaseGatewayHost.RunAsync(plan, output, error, cancellationToken).ConfigureAwait(false);
    }
}
