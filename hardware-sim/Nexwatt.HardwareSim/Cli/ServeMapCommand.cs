using System.CommandLine;
using System.Net;
using Nexwatt.HardwareSim.Devices.Map;
using Nexwatt.Protocols.Modbus.Server;
using Nexwatt.Protocols.RegisterMaps;
using Nexwatt.Protos;

namespace Nexwatt.HardwareSim.Cli;

/// <summary>
/// <c>hardware-sim serve-map --map NAME[:UNIT] [--port P]</c>: serves one battery that speaks a vendor register map
/// (a shipped map, or one from --maps-folder) over Modbus TCP, obeying the map's control registers. Prints
/// <c>READY map=NAME unit=U endpoint=HOST:PORT</c> once it accepts connections, then one status line per tick.
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
        var command = new Command("serve-map", "Serve a battery that speaks a vendor register map (Huawei, SolarEdge, SMA, Victron...) over Modbus TCP.")
        { map, folder, bind, port, rating, capacity, soc };
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
            var unit = spec.Length == 2 ? byte.Parse(spec[1], System.Globalization.CultureInfo.InvariantCulture) : definition.Defaults.UnitId;
            var device = new MapBatteryDevice(definition, unit, parse.GetValue(rating), parse.GetValue(capacity), parse.GetValue(soc), TimeProvider.System);
            await using var server = new ModbusTcpServer(new IPEndPoint(IPAddress.Parse(parse.GetValue(bind)!), parse.GetValue(port)), new ModbusDataModelHandler(device));
            server.Start();
            await output.WriteLineAsync($"READY map={definition.Name} unit={unit} endpoint={server.LocalEndPoint}").ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(Tick);
            var ticks = 0;
            try
            {
                while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    device.Step(Tick.TotalSeconds, DateTimeOffset.UtcNow);
                    if (++ticks % 5 == 0) await output.WriteLineAsync($"STATUS {device.Describe()}").ConfigureAwait(false);
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
