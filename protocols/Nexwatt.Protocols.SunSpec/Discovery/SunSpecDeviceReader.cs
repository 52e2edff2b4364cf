using Nexwatt.Protocols.Modbus;

namespace Nexwatt.Protocols.SunSpec;

/// <summary>Reads model blocks found by <see cref="SunSpecDiscovery"/>.</summary>
public static class SunSpecDeviceReader
{
    /// <summary>Reads one model (ID, L and body in one request; the client splits it at the PDU limit) and decodes it.</summary>
    /// <exception cref="SunSpecDecodingException">The model is unknown, or the registers no longer hold it.</exception>
    public static async Task<SunSpecModelBlock> ReadModelAsync(IModbusClient client, byte unitId, SunSpecModelLocation location,
        SunSpecWordOrder order = SunSpecWordOrder.HighWordFirst, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(location);
        var definition = location.Definition
            ?? throw new SunSpecDecodingException($"model {location.ModelId} at {location.Address} has no definition in the catalog");
        var count = 2 + location.Length;
        if (location.Address + count > ushort.MaxValue + 1)
            throw new SunSpecDecodingException($"model {location.ModelId} at {location.Address} with L={location.Length} runs past address 65535");
        var registers = await client.ReadHoldingRegistersAsync(unitId, location.Address, (ushort)count, cancellationToken).ConfigureAwait(false);
        if (registers.Length != count)
            throw new SunSpecDecodingException($"model {location.ModelId} at {location.Address}: asked for {count} registers, got {registers.Length}");
        if (registers[1] != location.Length)
            throw new SunSpecDecodingException($"model {location.ModelId} at {location.Address}: L changed from {location.Length} to {registers[1]} since discovery");
        return SunSpecModelBlock.FromRegisters(definition, registers, order);
    }

    /// <summary>Reads every model of <paramref name="map"/> that has a definition, in chain order.</summary>
    public static async Task<IReadOnlyList<SunSpecModelBlock>> ReadAllAsync(IModbusClient client, SunSpecDeviceMap map,
        SunSpecWordOrder order = SunSpecWordOrder.HighWordFirst, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(map);
        var blocks = new List<SunSpecModelBlock>();
        foreach (var location in map.Models)
            if (location.Definition is not null)
                blocks.Add(await ReadModelAsync(client, map.UnitId, location, order, cancellationToken).ConfigureAwait(false));
        return blocks;
    }

    /// <summary>Reads the common model (model 1), or null when the map has none.</summary>
    public static async Task<SunSpecCommonModel?> ReadCommonAsync(IModbusClient client, SunSpecDeviceMap map, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(map);
        var location = map.Find(SunSpecCommonModel.ModelId);
        if (location?.Definition is null) return null;
        var block = await ReadModelAsync(client, map.UnitId, location, SunSpecWordOrder.HighWordFirst, cancellationToken).ConfigureAwait(false);
        return SunSpecCommonModel.FromBlock(block);
    }
}
