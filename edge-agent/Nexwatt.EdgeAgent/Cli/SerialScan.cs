using System.CommandLine;
using System.Text.Json;
using Nexwatt.EdgeAgent.Discovery;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Cli;

/// <summary>
/// `nexwatt-agent scan --serial PATH --baud N [--units 1-247] [--timeout 100ms]`: a unit-id sweep on one RTU bus.
/// The sweep is <see cref="SerialSweep"/> (the worker's discovery runs the same). Prints what answered and a
/// configuration snippet for /etc/nexwatt/agent.json.
/// </summary>
internal static class SerialScan
{
    /// <summary>The sweep's timeout when --timeout is not given: short, since most unit ids are empty.</summary>
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>Reports on the sweep's own thread, so the progress line never lands after the results.</summary>
    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    public static async Task<int> RunAsync(ParseResult parse, SerialCliOptions serial, Option<int[]> units, Option<TimeSpan> timeout, Option<bool> json,
        CancellationToken cancellationToken)
    {
        var wait = parse.GetResult(timeout) is { Implicit: false } ? parse.GetValue(timeout) : DefaultTimeout;
        var unitIds = parse.GetResult(units) is { Implicit: false } ? parse.GetValue(units)! : [.. Enumerable.Range(1, 247)];
        await using var link = serial.CreateLink(parse, wait)!;
        var sweep = new SerialSweep(link, SunSpecModelCatalog.LoadBuiltIn(), RegisterMaps.AgentRegisterMaps.Load(null));
        var progress = new SynchronousProgress(unit => Console.Error.Write($"\rscanning {link.Name} unit {unit}   "));
        var found = new List<FoundUnit>();
        await foreach (var device in sweep.SweepAsync(unitIds, wait, progress, cancellationToken).ConfigureAwait(false)) found.Add(device);
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
            Console.WriteLine($"{d.UnitId,4}  {d.Answer,-8} {d.Manufacturer,-20} {d.Model,-20} {d.SerialNumber,-16} {(d.Map is { } map ? "map " + map : string.Join(",", d.ModelIds))}");
        Console.WriteLine();
        Console.WriteLine("Configuration snippet (paste under Agent:Devices in /etc/nexwatt/agent.json):");
        Console.WriteLine(Snippet(link.Name, parse.GetValue(serial.Baud), parse.GetValue(serial.Parity).ToString(), found.Where(d => d.Answer is UnitAnswer.SunSpec or UnitAnswer.Map)));
        return 0;
    }

    internal static string Snippet(string port, int baud, string parity, IEnumerable<FoundUnit> units)
    {
        var devices = units.Select(u =>
        {
            var entry = new Dictionary<string, object>
            {
                ["Id"] = $"{(u.Model ?? "device").ToLowerInvariant().Replace(' ', '-')}-{u.UnitId}",
                ["Type"] = u.Map is null ? DeviceTypes.SunSpec : DeviceTypes.Map,
                ["Transport"] = "rtu",
                ["UnitId"] = u.UnitId,
                ["Serial"] = new Dictionary<string, object> { ["Port"] = port, ["BaudRate"] = baud, ["Parity"] = parity },
            };
            if (u.Map is { } map) entry["Map"] = map;
            return entry;
        });
        return JsonSerializer.Serialize(new { Agent = new { Devices = devices } }, new JsonSerializerOptions { WriteIndented = true });
    }
}
