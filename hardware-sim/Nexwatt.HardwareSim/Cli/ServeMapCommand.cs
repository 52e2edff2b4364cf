using System.CommandLine;
using System.Net;
using Nexwatt.HardwareSim.Devices.Map;
using Nexwatt.HardwareSim.Faults;
using Nexwatt.HardwareSim.Hosting;
using Nexwatt.Protocols.RegisterMaps;
using Nexwatt.Protos;

namespace Nexwatt.HardwareSim.Cli;

/// <summary>
/// <c>hardware-sim serve-map --map NAME[:UNIT] [--port P] [--fault SPEC] [--seed N]</c>: serves one battery that speaks a
/// vendor register map (a shipped map, or one from --maps-folder) over Modbus TCP, obeying the map's control registers,
/// with the same fault injection as <c>serve</c>. Prints <c>READY map=NAME unit=U [faults=SPEC] endpoint=HOST:PORT</c>
/// once it accepts connections, then a status line every second.
/// </summary>
internal static class ServeMapCommand
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(200);

    public static Command Create(TextWriter output, TextWriter error)
    {
        var map = new Option<string>("--map") { Description = "The register map to serve, NAME or NAME:UNIT (e.g. huawei-sun2000:1).", Required = true };
        var folder = new Option<DirectoryInfo?>("--maps-folder") { Description = "A folder of extra register maps (NAME.json)." };
        var bind = new Option<string>("--bind") { Description = "Address to listen on (default 127.0.0.1).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (default 5020; 0 = a free port).", DefaultValueFactory = _ => 5020 };
        var rating = new Option<double>("--rating") { Description = "Charge and discharge rating, W (default 5000).", DefaultValueFactory = _ => 5000 };
        var capacity = new Option<double>("--capacity") { Description = "Usable capacity, Wh (default 10000).", DefaultValueFactory = _ => 10000 };
        var soc = new Option<double>("--soc") { Description = "Initial state of charge, % (default 50).", DefaultValueFactory = _ => 50 };
        var fault = new Option<string[]>("--fault")
        {
            Description = "[NAME:]drop=P,drop-every=N,slow=MS[@P],exception=P[:CODE],garbage=P,corrupt=P,freeze, as for serve (repeatable; later flags win).",
            AllowMultipleArgumentsPerToken = false,
        };
        var seed = new Option<int>("--seed") { Description = "Seed of the fault decisions (default 1).", DefaultValueFactory = _ => 1 };
        var command = new Command("serve-map", "Serve a battery that speaks a vendor register map (Huawei, SolarEdge, SMA, Victron...) over Modbus TCP.")
        { map, folder, bind, port, rating, capacity, soc, fault, seed };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var spec = parse.GetValue(map)!.Split(':', 2);
            RegisterMap definition;
            try
            {
                var catalog = RegisterMapCatalog.Empty.LoadFolder(Path.Combine(AppContext.BaseDirectory, "RegisterMaps"), CanonicalPoints.Units);
                if (parse.GetValue(folder) is { } extra) catalog = catalog.LoadFolder(extra.FullName, CanonicalPoints.Units);
                definition = catalog.Find(spec[0]) ?? throw new KeyNotFoundException($"register map '{spec[0]}' is unknown; known: {string.Join(", ", catalog.Maps.Select(m => m.Name))}");
                if (definition.Control is null) throw new KeyNotFoundException($"register map '{spec[0]}' has no control section: there is no battery to simulate");
            }
            catch (Exception ex) when (ex is RegisterMapException or KeyNotFoundException or DirectoryNotFoundException)
            {
                await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return HardwareSimCommand.InvalidArguments;
            }
            if (spec.Length == 2 && !byte.TryParse(spec[1], out _))
            {
                await error.WriteLineAsync($"error: --map {parse.GetValue(map)}: the unit after ':' must be 0-255").ConfigureAwait(false);
                return HardwareSimCommand.InvalidArguments;
            }
            var problems = new List<string>();
            var assignments = FaultFlags.Parse(parse.GetValue(fault) ?? [], problems);
            problems.AddRange(assignments.Where(a => a.DeviceName is { } name && !string.Equals(name, definition.Name, StringComparison.OrdinalIgnoreCase))
                .Select(a => $"{a.Origin}: no device named '{a.DeviceName}' (this one is '{definition.Name}')."));
            if (problems.Count > 0)
            {
                foreach (var problem in problems) await error.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
                return HardwareSimCommand.InvalidArguments;
            }
            var plan = FaultFlags.For(definition.Name, assignments, FaultPlan.None);
            var unit = spec.Length == 2 ? byte.Parse(spec[1], System.Globalization.CultureInfo.InvariantCulture) : definition.Defaults.UnitId;
            var device = new MapBatteryDevice(definition, unit, parse.GetValue(rating), parse.GetValue(capacity), parse.GetValue(soc), TimeProvider.System);
            var faults = new DeviceFaults(plan, DeviceFaults.DeriveSeed(parse.GetValue(seed), definition.Name));
            await using var server = MapBatteryServer.Start(device, faults, new IPEndPoint(IPAddress.Parse(parse.GetValue(bind)!), parse.GetValue(port)), TimeProvider.System);
            var faultText = plan.IsNone ? "" : $" faults={plan}";
            await output.WriteLineAsync($"READY map={definition.Name} unit={unit}{faultText} endpoint={server.Endpoint}").ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(Tick);
            var ticks = 0;
            try
            {
                while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    server.Step(Tick, DateTimeOffset.UtcNow);
                    if (++ticks % 5 == 0) await output.WriteLineAsync($"STATUS {server.Describe()}").ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            return 0;
        });
        return command;
    }
}
