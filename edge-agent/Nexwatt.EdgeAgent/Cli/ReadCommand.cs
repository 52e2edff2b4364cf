using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Discovery;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Cli;

/// <summary>`nexwatt-agent read`: connect to one device, discover it and print every decoded point.</summary>
internal static class ReadCommand
{
    public const int NotSunSpec = 2;
    public const int Unreachable = 3;

    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Device or gateway address (or --serial, or --enphase)." };
        var port = new Option<int>("--port", "-p") { Description = "Modbus TCP port (default 502).", DefaultValueFactory = _ => 502 };
        var unit = new Option<int>("--unit", "-u") { Description = "Modbus unit id (default 1).", DefaultValueFactory = _ => 1 };
        var baseAddress = new Option<int?>("--base") { Description = "A SunSpec base address to try before 40000, 50000 and 0." };
        var wordOrder = new Option<string>("--word-order") { Description = "HighWordFirst (SunSpec) or LowWordFirst.", DefaultValueFactory = _ => "HighWordFirst" };
        wordOrder.AcceptOnlyFromAmong("HighWordFirst", "LowWordFirst");
        var timeout = CliOptions.Timeout("2s");
        var json = CliOptions.Json();
        var models = CliOptions.ModelsFolder();
        port.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 65535) r.AddError("--port must be 1-65535."); });
        unit.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > 255) r.AddError("--unit must be 0-255."); });
        baseAddress.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 0 or > 65535) r.AddError("--base must be 0-65535."); });

        var command = new Command("read", "Read one device: discover its SunSpec models and print every decoded point.")
        { host, port, unit, baseAddress, wordOrder, timeout, json, models };
        var enphase = ReadEnphaseCommand.AddTo(command, json);
        var serial = SerialCliOptions.AddTo(command, host, enphase.Url);
        var (map, mapsFolder) = ReadMapCommand.AddOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (enphase.Requested(parse)) return await enphase.RunAsync(parse, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(map) is { } mapName)
            {
                await using var mapRtu = serial.CreateLink(parse, parse.GetValue(timeout));
                return await ReadMapCommand.RunAsync(mapName, parse.GetValue(mapsFolder), parse.GetValue(host), parse.GetValue(port),
                    parse.GetResult(unit) is { Implicit: false } ? parse.GetValue(unit) : null, parse.GetValue(timeout), parse.GetValue(json), mapRtu, cancellationToken).ConfigureAwait(false);
            }
            var catalog = SunSpecModelCatalog.LoadBuiltIn();
            if (parse.GetValue(models) is { } folder) catalog = catalog.LoadFolder(folder.FullName);
            var order = parse.GetValue(wordOrder) == "LowWordFirst" ? SunSpecWordOrder.LowWordFirst : SunSpecWordOrder.HighWordFirst;
            var endpoint = $"{parse.GetValue(host)}:{parse.GetValue(port)}";
            await using var pool = new ModbusLinkPool();
            await using var rtu = serial.CreateLink(parse, parse.GetValue(timeout));
            IModbusClient link = rtu ?? (IModbusClient)pool.GetLink(new ModbusTcpLinkOptions
            {
                Host = parse.GetValue(host)!, Port = parse.GetValue(port), ConnectTimeout = parse.GetValue(timeout), ResponseTimeout = parse.GetValue(timeout),
            });
            if (rtu is not null) endpoint = rtu.Name;
            var unitId = (byte)parse.GetValue(unit);
            try
            {
                var probed = await DeviceProbe.ProbeAsync(link, unitId, catalog, cancellationToken, (ushort?)parse.GetValue(baseAddress), order).ConfigureAwait(false);
                if (probed is null)
                {
                    await Console.Error.WriteLineAsync($"{endpoint} unit {unitId} answers Modbus but shows no SunSpec marker at 40000, 50000 or 0.").ConfigureAwait(false);
                    return NotSunSpec;
                }
                var blocks = new List<(SunSpecModelLocation Location, SunSpecModelBlock? Block)>();
                foreach (var location in probed.Map.Models)
                    blocks.Add((location, location.Definition is null ? null
                        : await SunSpecDeviceReader.ReadModelAsync(link, unitId, location, order, cancellationToken).ConfigureAwait(false)));
                if (parse.GetValue(json)) WriteJson(endpoint, unitId, probed, blocks);
                else WriteTable(endpoint, unitId, probed, blocks);
                return 0;
            }
            catch (Exception ex) when (ex is ModbusCommunicationException or ModbusProtocolException or TimeoutException or ModbusDeviceUnavailableException)
            {
                await Console.Error.WriteLineAsync($"Cannot read {endpoint} unit {unitId}: {ex.Message}").ConfigureAwait(false);
                return Unreachable;
            }
        });
        return command;
    }

    private static void WriteTable(string endpoint, byte unitId, ProbedDevice device, List<(SunSpecModelLocation Location, SunSpecModelBlock? Block)> blocks)
    {
        var common = device.Common;
        Console.WriteLine($"{endpoint} unit {unitId}: {common?.Manufacturer} {common?.Model} serial {common?.SerialNumber} version {common?.Version}");
        Console.WriteLine($"SunSpec base {device.Map.BaseAddress}, {blocks.Count} model(s), {device.Map.RequestCount} discovery request(s)");
        foreach (var (location, block) in blocks)
        {
            Console.WriteLine();
            if (block is null)
            {
                Console.WriteLine($"model {location.ModelId} at {location.Address}, length {location.Length}: unknown to this agent, skipped");
                continue;
            }
            Console.WriteLine($"model {location.ModelId} ({block.Model.Name}) at {location.Address}, length {location.Length}");
            var rows = block.ReadAll()
                .Where(p => p.Path is not ("ID" or "L") && p.Definition.Type is not SunSpecPointType.Pad)
                .Select(p => (p.Path, Value: FormatValue(p.Value), Units: p.Definition.Units ?? "", Access: p.Definition.Access == SunSpecAccess.ReadWrite ? "RW" : "R"))
                .ToList();
            var pathWidth = Math.Max(5, rows.Select(r => r.Path.Length).DefaultIfEmpty(5).Max());
            var valueWidth = Math.Max(5, rows.Select(r => r.Value.Length).DefaultIfEmpty(5).Max());
            Console.WriteLine($"  {"point".PadRight(pathWidth)}  {"value".PadLeft(valueWidth)}  {"units",-8} access");
            foreach (var row in rows)
                Console.WriteLine($"  {row.Path.PadRight(pathWidth)}  {row.Value.PadLeft(valueWidth)}  {row.Units,-8} {row.Access}");
        }
    }

    private static string FormatValue(SunSpecValue value) => value.Kind switch
    {
        SunSpecValueKind.NotImplemented => "n/a",
        SunSpecValueKind.Number => value.Value!.Value.ToString("0.######", CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static void WriteJson(string endpoint, byte unitId, ProbedDevice device, List<(SunSpecModelLocation Location, SunSpecModelBlock? Block)> blocks)
    {
        using var stream = Console.OpenStandardOutput();
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("endpoint", endpoint);
        writer.WriteNumber("unit", unitId);
        writer.WriteNumber("base", device.Map.BaseAddress);
        writer.WriteNumber("discoveryRequests", device.Map.RequestCount);
        if (device.Common is { } common)
        {
            writer.WriteStartObject("common");
            writer.WriteString("manufacturer", common.Manufacturer);
            writer.WriteString("model", common.Model);
            writer.WriteString("version", common.Version);
            writer.WriteString("serialNumber", common.SerialNumber);
            writer.WriteEndObject();
        }
        writer.WriteStartArray("models");
        foreach (var (location, block) in blocks)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", location.ModelId);
            writer.WriteNumber("address", location.Address);
            writer.WriteNumber("length", location.Length);
            writer.WriteBoolean("known", block is not null);
            if (block is not null)
            {
                writer.WriteString("name", block.Model.Name);
                writer.WriteStartArray("points");
                foreach (var point in block.ReadAll().Where(p => p.Definition.Type is not SunSpecPointType.Pad))
                {
                    writer.WriteStartObject();
                    writer.WriteString("point", point.Path);
                    writer.WriteString("type", point.Definition.Type.ToString());
                    if (point.Definition.Units is { } units) writer.WriteString("units", units);
                    switch (point.Value.Kind)
                    {
                        case SunSpecValueKind.NotImplemented: writer.WriteNull("value"); writer.WriteBoolean("implemented", false); break;
                        case SunSpecValueKind.Number: writer.WriteNumber("value", point.Value.Value!.Value); break;
                        default: writer.WriteString("value", point.Value.ToString()); break;
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        stream.WriteByte((byte)'\n');
    }
}
