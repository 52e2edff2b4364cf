using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Discovery;

/// <summary>A device found by probing an address range: SunSpec, or of a register map (<paramref name="Map"/>).</summary>
public sealed record FoundDevice(string Host, int Port, int UnitId, ushort BaseAddress, string Manufacturer, string Model, string SerialNumber, IReadOnlyList<ushort> ModelIds,
    string? Map = null);

/// <summary>
/// Probes host × port × unit id for SunSpec devices. A host whose port refuses or does not answer is left
/// after one probe, so a sparse subnet is scanned in seconds; hosts are probed a few at a time.
/// </summary>
internal sealed class NetworkScanner(SunSpecModelCatalog catalog, TimeProvider time, ILogger logger)
{
    private const int Parallelism = 16;

    public async Task<IReadOnlyList<FoundDevice>> ScanAsync(DiscoveryOptions options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var addresses = options.Ranges.SelectMany(r => AddressRange.Parse(r).Addresses()).Distinct().ToList();
        Log.DiscoveryStarted(logger, addresses.Count, options.EffectivePorts.Count, options.EffectiveUnitIds.Count);
        var targets = addresses.SelectMany(a => options.EffectivePorts.Select(p => (Host: a.ToString(), Port: p))).ToList();
        var found = new List<FoundDevice>();
        var done = 0;
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (target, ct) =>
            {
                var devices = await ProbeEndpointAsync(target.Host, target.Port, options, ct).ConfigureAwait(false);
                lock (found) found.AddRange(devices);
                var n = Interlocked.Increment(ref done);
                progress?.Report($"probed {n}/{targets.Count} endpoints, {found.Count} device(s) found");
            }).ConfigureAwait(false);
        Log.DiscoveryFinished(logger, found.Count);
        return found.OrderBy(d => d.Host, StringComparer.Ordinal).ThenBy(d => d.Port).ThenBy(d => d.UnitId).ToList();
    }

    private async Task<IReadOnlyList<FoundDevice>> ProbeEndpointAsync(string host, int port, DiscoveryOptions options, CancellationToken cancellationToken)
    {
        var found = new List<FoundDevice>();
        await using var pool = new ModbusLinkPool(null, time);
        var link = pool.GetLink(new ModbusTcpLinkOptions { Host = host, Port = port, ConnectTimeout = options.ProbeTimeout, ResponseTimeout = options.ProbeTimeout });
        foreach (var unit in options.EffectiveUnitIds)
        {
            try
            {
                var device = await DeviceProbe.ProbeAsync(link, (byte)unit, catalog, cancellationToken).ConfigureAwait(false);
                if (device is null) continue;
                var result = new FoundDevice(host, port, unit, device.Map.BaseAddress, device.Common?.Manufacturer ?? "", device.Common?.Model ?? "",
                    device.Common?.SerialNumber ?? "", device.Map.Models.Select(m => m.ModelId).ToArray());
                Log.DiscoveryFound(logger, $"{host}:{port}", unit, result.Manufacturer, result.Model);
                found.Add(result);
            }
            catch (ModbusCommunicationException)
            {
                // Nothing listens there (refused, unreachable): the other unit ids cannot answer either.
                break;
            }
            catch (Exception ex) when (ex is TimeoutException or ModbusException or SunSpecException)
            {
                // This unit id is silent or not SunSpec; a gateway may still hold others.
            }
        }
        return found;
    }
}
