using System.CommandLine;
using System.Text.Json;
using Nexwatt.EdgeAgent.Discovery;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Cli;

/// <summary>
/// `nexwatt-agent scan --serial PATH --baud N [--units 1-247] [--timeout 100ms]`: a unit-id sweep on one RTU bus.
/// Each unit gets one short read; a unit that answers anything (even an exception) is a device, and is then probed
/// for SunSpec. Prints what answered and a configuration snippet for /etc/nexwatt/agent.json.
/// </summary>
internal static class SerialScan
{
    /// <summary>The sweep's timeout when --timeout is not given: short, since most unit ids are empty.</summary>
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(100);

    internal enum UnitAnswer { SunSpec, Modbus, Garbled }

    internal sealed record FoundUnit(int UnitId, UnitAnswer Answer, string? Manufacturer, string? Model, string? SerialNumber, IReadOnlyList<ushort> ModelIds);

    public static async Task<int> RunAsync(ParseResult parse, SerialCliOptions serial, Option<int[]> units, Option<TimeSpan> timeout, Option<bool> json,
        CancellationToken cancellationToken)
    {
        var wait = parse.GetResult(timeout) is { Implicit: false } ? parse.GetValue(timeout) : DefaultTimeout;
        var unitIds = parse.GetResult(units) is { Implicit: false } ? parse.GetValue(units)! : [.. Enumerable.Range(1, 247)];
        await using var link = serial.CreateLink(parse, wait)!;
        var catalog = SunSpecModelCatalog.LoadBuiltIn();
        var found = new List<FoundUnit>();
        foreach (var unit in unitIds.Where(u => u is >= 1 and <= 247))
        {
            Console.Error.Write($"\rscanning {link.Name} unit {unit}   ");
            if (await ProbeAsync(link, (byte)unit, catalog, cancellationToken).ConfigureAwait(false) is { } device) found.Add(device);
        }
        Console.Error.WriteLine();
        if (parse.GetValue(json))
        {
            Console.WriteLine(JsonSerializer.Serialize(found, new JsonSerializerOptions
            {
                WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
            }));
            return 0;
        }
        if (found.Count == 0)
        {
            Console.WriteLine($"No unit answered on {link.Name} (units {unitIds.Min()}-{unitIds.Max()}, {wait.TotalMilliseconds:0} ms each). Check baud, parity and wiring (A/B swapped?).");
            return 0;
        }
        Console.WriteLine($"{"unit",4}  {"answers",-8} {"manufacturer",-20} {"model",-20} {"serial",-16} models");
        foreach (var d in found)
            Console.WriteLine($"{d.UnitId,4}  {d.Answer,-8} {d.Manufacturer,-20} {d.Model,-20} {d.SerialNumber,-16} {string.Join(",", d.ModelIds)}");
        Console.WriteLine();
        Console.WriteLine("Configuration snippet (paste under Agent:Devices in /etc/nexwatt/agent.json):");
        Console.WriteLine(Snippet(link.Name, parse.GetValue(serial.Baud), parse.GetValue(serial.Parity).ToString(), found.Where(d => d.Answer == UnitAnswer.SunSpec)));
        return 0;
    }

    private static async Task<FoundUnit?> ProbeAsync(ModbusRtuLink link, byte unit, SunSpecModelCatalog catalog, CancellationToken cancellationToken)
    {
        try
        {
            // One short read says whether anything lives at this address; an exception answer is a device too.
            await link.ReadHoldingRegistersAsync(unit, 40000, 2, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) { return null; }
        catch (ModbusRemoteException) { }
        catch (ModbusProtocolException) { return new FoundUnit(unit, UnitAnswer.Garbled, null, null, null, []); }
        try
        {
            var probed = await DeviceProbe.ProbeAsync(link, unit, catalog, cancellationToken).ConfigureAwait(false);
            if (probed is null) return new FoundUnit(unit, UnitAnswer.Modbus, null, null, null, []);
            return new FoundUnit(unit, UnitAnswer.SunSpec, probed.Common?.Manufacturer, probed.Common?.Model, probed.Common?.SerialNumber,
                [.. probed.Map.Models.Select(m => m.ModelId)]);
        }
        catch (Exception ex) when (ex is TimeoutException or ModbusProtocolException)
        {
            return new FoundUnit(unit, UnitAnswer.Garbled, null, null, null, []);
        }
    }

    internal static string Snippet(string port, int baud, string parity, IEnumerable<FoundUnit> units)
    {
        var devices = units.Select(u => new Dictionary<string, object>
        {
            ["Id"] = $"{(u.Model ?? "device").ToLowerInvariant().Replace(' ', '-')}-{u.UnitId}",
            ["Type"] = "sunspec",
            ["Transport"] = "rtu",
            ["UnitId"] = u.UnitId,
            ["Serial"] = new Dictionary<string, object> { ["Port"] = port, ["BaudRate"] = baud, ["Parity"] = parity },
        });
        return JsonSerializer.Serialize(new { Agent = new { Devices = devices } }, new JsonSerializerOptions { WriteIndented = true });
    }
}
