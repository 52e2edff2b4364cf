using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.Collector.Tests.EndToEnd;

/// <summary>What one simulated battery reports about itself, read straight from the device (not through the agent).</summary>
internal sealed record BatteryReading(string Name, double Watts, double SocPercent, long StorageControlMode);

/// <summary>
/// The test's own view of the simulated batteries: it reads each device over Modbus (its own connections), so the
/// delivered power and state of charge it asserts on are the devices' ground truth, not what the system says.
/// </summary>
internal sealed class FleetProbe : IAsyncDisposable
{
    private readonly ModbusLinkPool _links = new();
    private readonly List<(string Name, IModbusClient Link, SunSpecDeviceMap Map)> _devices = [];

    public static async Task<FleetProbe> ConnectAsync(IEnumerable<(string Name, string Host, int Port, byte Unit)> batteries, CancellationToken cancellationToken)
    {
        var probe = new FleetProbe();
        foreach (var (name, host, port, unit) in batteries)
        {
            var link = probe._links.GetLink(new ModbusTcpLinkOptions { Host = host, Port = port, ResponseTimeout = TimeSpan.FromSeconds(5) });
            var map = await new SunSpecDiscovery(link).DiscoverAsync(unit, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{name} at {host}:{port} is not a SunSpec device");
            probe._devices.Add((name, link, map));
        }
        return probe;
    }

    public async Task<IReadOnlyList<BatteryReading>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var reads = _devices.Select(async d =>
        {
            var ac = await SunSpecDeviceReader.ReadModelAsync(d.Link, d.Map.UnitId, d.Map.Find(103)!, cancellationToken: cancellationToken).ConfigureAwait(false);
            var battery = await SunSpecDeviceReader.ReadModelAsync(d.Link, d.Map.UnitId, d.Map.Find(802)!, cancellationToken: cancellationToken).ConfigureAwait(false);
            var storage = await SunSpecDeviceReader.ReadModelAsync(d.Link, d.Map.UnitId, d.Map.Find(124)!, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new BatteryReading(d.Name, ac.Read("W").Value ?? double.NaN, battery.Read("SoC").Value ?? double.NaN, storage.Read("StorCtl_Mod").Raw);
        });
        return await Task.WhenAll(reads).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _links.DisposeAsync();
}
