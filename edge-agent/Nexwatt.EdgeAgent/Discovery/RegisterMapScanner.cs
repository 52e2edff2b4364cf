using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.RegisterMaps;

namespace Nexwatt.EdgeAgent.Discovery;

/// <summary>
/// Finds devices of the known register maps by their identification registers: at each endpoint, each map's own unit
/// id is asked for the map's identification points. Endpoints are probed concurrently up to a bound; an endpoint that
/// refuses the connection is left after one try, and a unit that does not answer is not asked again for other maps,
/// so a subnet where nothing listens costs one refused connect per host.
/// </summary>
internal sealed class RegisterMapScanner(RegisterMapCatalog catalog, TimeProvider time)
{
    /// <summary>Concurrent endpoints: a refused or silent host costs a socket and a timer while it is probed, nothing more.</summary>
    public const int Parallelism = 64;

    public async Task<IReadOnlyList<FoundDevice>> ScanAsync(IReadOnlyList<(string Host, int Port)> endpoints, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var maps = catalog.Maps.Where(m => m.Identification.Count > 0).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
        var found = new List<FoundDevice>();
        await Parallel.ForEachAsync(endpoints, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (endpoint, ct) =>
            {
                var devices = await ProbeAsync(endpoint.Host, endpoint.Port, maps, timeout, ct).ConfigureAwait(false);
                lock (found) found.AddRange(devices);
            }).ConfigureAwait(false);
        return found.OrderBy(d => d.Host, StringComparer.Ordinal).ThenBy(d => d.Port).ThenBy(d => d.UnitId).ThenBy(d => d.Map, StringComparer.Ordinal).ToList();
    }

    private async Task<List<FoundDevice>> ProbeAsync(string host, int port, List<RegisterMap> maps, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var found = new List<FoundDevice>();
        var silent = new HashSet<byte>();
        await using var pool = new ModbusLinkPool(null, time);
        var link = pool.GetLink(new ModbusTcpLinkOptions { Host = host, Port = port, ConnectTimeout = timeout, ResponseTimeout = timeout });
        foreach (var map in maps)
        {
            var unit = map.Defaults.UnitId;
            if (silent.Contains(unit)) continue;
            try
            {
                if (await IdentifyAsync(link, map, host, port, unit, cancellationToken).ConfigureAwait(false) is { } device) found.Add(device);
            }
            catch (ModbusCommunicationException)
            {
                break; // nothing listens there: no other map can answer either
            }
            catch (TimeoutException)
            {
                silent.Add(unit);
            }
            catch (ModbusException)
            {
                // The unit answers but not these registers: another map may still fit.
            }
        }
        return found;
    }

    /// <summary>The unit as a device of <paramref name="map"/> when its identification registers match, else null; Modbus errors propagate.</summary>
    internal static async Task<FoundDevice?> IdentifyAsync(IModbusClient link, RegisterMap map, string host, int port, byte unit, CancellationToken cancellationToken)
    {
        if (await RegisterMaps.MapIdentification.MismatchAsync(link, map, unit, cancellationToken).ConfigureAwait(false) is not null) return null;
        var identity = await RegisterMapReader.ReadAsync(link, map, unit, map.Points.Where(p => p.Type == PointType.String), cancellationToken).ConfigureAwait(false);
        return new FoundDevice(host, port, unit, 0, map.Manufacturer, RegisterMaps.MapIdentification.Describe(map, identity) ?? map.Name,
            identity.FirstOrDefault(r => r.Point.Name.Contains("serial", StringComparison.Ordinal))?.Value.Text ?? "", [], map.Name);
    }
}
