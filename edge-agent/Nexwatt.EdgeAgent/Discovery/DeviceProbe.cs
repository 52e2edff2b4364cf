using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Discovery;

/// <summary>A discovered device: its model chain and, when it has one, its common model.</summary>
internal sealed record ProbedDevice(SunSpecDeviceMap Map, SunSpecCommonModel? Common);

internal static class DeviceProbe
{
    /// <summary>Discovers the SunSpec model chain of one unit and reads its common model; null if it is not SunSpec.</summary>
    public static async Task<ProbedDevice?> ProbeAsync(IModbusClient client, byte unitId, SunSpecModelCatalog catalog, CancellationToken cancellationToken,
        ushort? extraBase = null, SunSpecWordOrder wordOrder = SunSpecWordOrder.HighWordFirst)
    {
        var options = new SunSpecDiscoveryOptions { Catalog = catalog, ExtraBaseAddresses = extraBase is { } b ? [b] : [] };
        var map = await new SunSpecDiscovery(client, options).DiscoverAsync(unitId, cancellationToken).ConfigureAwait(false);
        if (map is null) return null;
        var common = map.Models.FirstOrDefault(m => m.ModelId == 1 && m.Definition is not null);
        SunSpecCommonModel? identity = null;
        if (common is not null)
            identity = SunSpecCommonModel.FromBlock(await SunSpecDeviceReader.ReadModelAsync(client, unitId, common, wordOrder, cancellationToken).ConfigureAwait(false));
        return new ProbedDevice(map, identity);
    }
}
