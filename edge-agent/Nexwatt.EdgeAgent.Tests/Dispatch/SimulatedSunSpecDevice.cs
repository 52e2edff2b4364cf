using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.EdgeAgent.Tests.Integration;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

/// <summary>A hardware-sim device process (a battery unless told otherwise) reached over our Modbus client, its model chain discovered as the agent does.</summary>
internal sealed class SimulatedSunSpecDevice : IAsyncDisposable
{
    private static readonly SunSpecModelCatalog Catalog = SunSpecModelCatalog.LoadBuiltIn();

    private SimulatedSunSpecDevice(SimulatedSite site, ModbusLink link, SunSpecDeviceMap map, (string Host, int Port, int Unit) endpoint)
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

    public static Task<SimulatedSunSpecDevice> StartAsync() => StartAsync("battery", "--battery", "127.0.0.1:0");

    /// <summary>Starts hardware-sim with <paramref name="arguments"/> and connects to its one device of <paramref name="kind"/>.</summary>
    public static async Task<SimulatedSunSpecDevice> StartAsync(string kind, params string[] arguments)
    {
        var site = await SimulatedSite.StartAsync(arguments);
        var endpoint = site.Single(kind);
        var link = new ModbusLink(new ModbusTcpLinkOptions { Host = endpoint.Host, Port = endpoint.Port, ResponseTimeout = TimeSpan.FromSeconds(5) });
        var map = await new SunSpecDiscovery(link, new SunSpecDiscoveryOptions { Catalog = Catalog }).DiscoverAsync((byte)endpoint.Unit)
            ?? throw new InvalidOperationException("The simulated battery shows no SunSpec marker.");
        return new SimulatedSunSpecDevice(site, link, map, endpoint);
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
