using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Discovery;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Cli;

/// <summary>`nexwatt-agent scan`: probe a host range over ports and unit ids and list the SunSpec devices found.</summary>
internal static class ScanCommand
{
    public static Command Create()
    {
        var hosts = new Option<string[]>("--hosts") { Description = "Addresses to probe: 192.168.1.10, 192.168.1.10-40, 192.168.1.10-192.168.2.5 or 10.0.0.0/28 (or --serial).", AllowMultipleArgumentsPerToken = true };
        var ports = CliOptions.IntList("--ports", "Modbus TCP ports, e.g. 502,1502", "502", 1, 65535);
        var units = CliOptions.IntList("--units", "Unit ids, e.g. 1-3,126", "1", 0, 255);
        var timeout = CliOptions.Timeout("500ms");
        var json = CliOptions.Json();
        hosts.Validators.Add(r =>
        {
            foreach (var token in r.Tokens)
                if (!AddressRange.TryParse(token.Value, out _, out var error)) r.AddError($"--hosts: {error}.");
        });

        var noMaps = new Option<bool>("--no-maps") { Description = "Look for SunSpec devices only, not for devices of the register maps." };
        var command = new Command("scan", "Probe a host range for SunSpec devices, devices of the register maps and Enphase IQ Gateways, and list what answers.") { hosts, ports, units, timeout, json, noMaps };
        var enphase = new ScanEnphaseOptions();
        enphase.AddTo(command);
        var serial = SerialCliOptions.AddTo(command, hosts);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetResult(serial.Serial) is { Implicit: false }) return await SerialScan.RunAsync(parse, serial, units, timeout, json, cancellationToken).ConfigureAwait(false);
            var options = new DiscoveryOptions
            {
                Enabled = true,
                Ranges = parse.GetValue(hosts)!.ToList(),
                Ports = parse.GetValue(ports)!.ToList(),
                UnitIds = parse.GetValue(units)!.ToList(),
                ProbeTimeout = parse.GetValue(timeout),
            };
            var scanner = new NetworkScanner(SunSpecModelCatalog.LoadBuiltIn(), TimeProvider.System, NullLogger.Instance);
            // Progress goes to stderr so that stdout stays clean for --json and for pipes.
            var progress = new Progress<string>(line => Console.Error.Write($"\r{line}   "));
            var gateways = enphase.ScanAsync(parse, options.Ranges, options.ProbeTimeout, cancellationToken);
            var found = await scanner.ScanAsync(options, progress, cancellationToken).ConfigureAwait(false);
            if (!parse.GetValue(noMaps)) found = [.. found, .. await ScanMaps.FindAsync(options, parse.GetValue(timeout), cancellationToken).ConfigureAwait(false)];
            var enphaseFound = await gateways.ConfigureAwait(false);
            Console.Error.WriteLine();
            if (parse.GetValue(json))
            {
                var camel = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
                // One list: SunSpec entries as before plus "kind":"sunspec", then the gateways ("kind":"enphase").
                var entries = new System.Text.Json.Nodes.JsonArray();
                foreach (var d in found)
                {
                    var entry = JsonSerializer.SerializeToNode(d, camel)!.AsObject();
                    entry.Insert(0, "kind", "sunspec");
                    entries.Add(entry);
                }
                foreach (var g in enphaseFound) entries.Add(JsonSerializer.SerializeToNode(g, camel));
                Console.WriteLine(entries.ToJsonString(camel));
                return 0;
            }
            ScanEnphaseOptions.WriteTable(enphaseFound, Console.Out);
            if (found.Count == 0)
            {
                Console.WriteLine("No device found.");
                return 0;
            }
            Console.WriteLine($"{"endpoint",-22} {"unit",4} {"base",5}  {"manufacturer",-20} {"model",-20} {"serial",-16} models");
            foreach (var d in found)
                Console.WriteLine($"{d.Host + ":" + d.Port,-22} {d.UnitId,4} {d.BaseAddress,5}  {d.Manufacturer,-20} {d.Model,-20} {d.SerialNumber,-16} {(d.Map is { } map ? "map " + map : string.Join(",", d.ModelIds))}");
            Console.WriteLine($"\nPaste into /etc/nexwatt/agent.json:\n{ConfigurationSnippet.For(found)}");
            return 0;
        });
        return command;
    }
}
