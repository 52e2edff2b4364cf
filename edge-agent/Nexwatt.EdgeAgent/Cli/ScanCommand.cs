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

        var command = new Command("scan", "Probe a host range for SunSpec devices and list what answers.") { hosts, ports, units, timeout, json };
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
            var found = await scanner.ScanAsync(options, progress, cancellationToken).ConfigureAwait(false);
            Console.Error.WriteLine();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(found, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
                return 0;
            }
            if (found.Count == 0)
            {
                Console.WriteLine("No SunSpec device found.");
                return 0;
            }
            Console.WriteLine($"{"endpoint",-22} {"unit",4} {"base",5}  {"manufacturer",-20} {"model",-20} {"serial",-16} models");
            foreach (var d in found)
                Console.WriteLine($"{d.Host + ":" + d.Port,-22} {d.UnitId,4} {d.BaseAddress,5}  {d.Manufacturer,-20} {d.Model,-20} {d.SerialNumber,-16} {string.Join(",", d.ModelIds)}");
            return 0;
        });
        return command;
    }
}
