using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.EdgeAgent.Tests.Integration;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

/// <summary>A hardware-sim battery process reached over our Modbus client, its model chain discovered as the agent does.</summary>
internal sealed class SimulatedBattery : IAsyncDisposable
{
    private static readonly SunSpecModelCatalog Catalog = SunSpecModelCatalog.LoadBuiltIn();

    private SimulatedBattery(SimulatedSite site, ModbusLink link, SunSpecDeviceMap map, (string Host, int Port, int Unit) endpoint)
    {
        Site = site;
        Link = link;
        Map = map;
        Endpoint = endpoint;
    }

    public SimulatedSite Site { get; }
    public ModbusLink Link { get; }
    public SunSpecDeviceMap Map { get; }
    public (string Host, int Port, int Unit) Endpoint { get; }

    /// <summary>The sim's WRITE lines so far (every write a device accepted).</summary>
    public IReadOnlyList<string> Writes => Site.Process.Log.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("WRITE ", StringComparison.Ordinal)).ToList();

    public static async Task<SimulatedBattery> StartAsync()
    {
        var site = await SimulatedSite.StartAsync("--battery", "127.0.0.1:0");
        var endpoint = site.Single("battery");
        var link = new ModbusLink(new ModbusTcpLinkOptions { Host = endpoint.Host, Port = endpoint.Port, ResponseTimeout = TimeSpan.FromSeconds(5) });
        var map = await new SunSpecDiscovery(link, new SunSpecDiscoveryOptions { Catalog = Catalog }).DiscoverAsync((byte)endpoint.Unit)
            ?? throw new InvalidOperationException("The simulated battery shows no SunSpec marker.");
        return new SimulatedBattery(site, link, map, endpoint);
    }

    public DeviceControlRegistry Registry(string deviceId)
    {
        var registry = new DeviceControlRegistry();
        registry.Register(new DeviceControlPort(deviceId, Link, (byte)Endpoint.Unit, Map, SunSpecWordOrder.HighWordFirst));
        return registry;
    }

    public Task<SunSpecModelBlock> ReadAsync(ushort model)
        => SunSpecDeviceReader.ReadModelAsync(Link, (byte)Endpoint.Unit, Map.Find(model)!);

    /// <summary>Model 124 StorCtl_Mod: 0 idle, 1 charge, 2 discharge.</summary>
    public async Task<long> ModeAsync() => (await ReadAsync(124)).Read("StorCtl_Mod").Raw;

    /// <summary>Model 802 W: power out of the battery, discharge positive.</summary>
    public async Task<double> WattsAsync() => (await ReadAsync(802)).Read("W").Value ?? double.NaN;

    /// <summary>Reads until <paramref name="condition"/> holds or the time is up; returns whether it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan patience)
    {
        var until = DateTimeOffset.UtcNow + patience;
        while (DateTimeOffset.UtcNow < until)
        {
            if (await condition()) return true;
            await Task.Delay(250);
        }
        return await condition();
    }

    public async ValueTask DisposeAsync()
    {
        await Link.DisposeAsync();
        await Site.DisposeAsync();
    }
}
