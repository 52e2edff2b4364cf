using System.Runtime.CompilerServices;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.RegisterMaps;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Discovery;

/// <summary>What a unit id on an RTU bus answered: SunSpec, a register map's device, some other Modbus device, or garbage.</summary>
internal enum UnitAnswer { SunSpec, Map, Modbus, Garbled }

/// <summary>A unit that answered a sweep; <paramref name="Map"/> names the register map it matched.</summary>
internal sealed record FoundUnit(int UnitId, UnitAnswer Answer, string? Manufacturer, string? Model, string? SerialNumber, IReadOnlyList<ushort> ModelIds,
    string? Map = null);

/// <summary>
/// A unit-id sweep on one RTU bus, used by `nexwatt-agent scan --serial` and by the worker's discovery. Each unit gets one
/// short read with the sweep's own per-unit timeout (a quirk of the bus link, so an empty address holds the bus that
/// long only); a unit that answers anything, even an exception, is a device and is then probed for SunSpec (the "SunS"
/// marker) and for the register maps' identification registers. The requests queue on the bus's one link behind the
/// polls of the devices already on that bus (background units), so those go on as before.
/// </summary>
internal sealed class SerialSweep(ModbusRtuLink link, SunSpecModelCatalog catalog, RegisterMapCatalog maps)
{
    public async IAsyncEnumerable<FoundUnit> SweepAsync(IEnumerable<int> unitIds, TimeSpan timeout, IProgress<int>? progress,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var unit in unitIds.Where(u => u is >= 1 and <= 247))
        {
            progress?.Report(unit);
            // Background: a poll of a device on this bus goes first, waiting at most for the one probe on the wire.
            link.Configure((byte)unit, ModbusDeviceQuirks.Default with { ResponseTimeout = timeout, Background = true });
            if (await ProbeAsync((byte)unit, cancellationToken).ConfigureAwait(false) is { } found) yield return found;
        }
    }

    private async Task<FoundUnit?> ProbeAsync(byte unit, CancellationToken cancellationToken)
    {
        try
        {
            // One short read says whether anything lives at this address; an exception answer is a device too.
            await link.ReadHoldingRegistersAsync(unit, 40000, 2, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or ModbusDeviceUnavailableException) { return null; }
        catch (ModbusRemoteException) { }
        catch (ModbusProtocolException) { return Garbled(unit); }
        try
        {
            if (await DeviceProbe.ProbeAsync(link, unit, catalog, cancellationToken).ConfigureAwait(false) is { } probed)
                return new FoundUnit(unit, UnitAnswer.SunSpec, probed.Common?.Manufacturer, probed.Common?.Model, probed.Common?.SerialNumber,
                    [.. probed.Map.Models.Select(m => m.ModelId)]);
        }
        catch (Exception ex) when (ex is TimeoutException or ModbusProtocolException or ModbusDeviceUnavailableException or SunSpecException)
        {
            return Garbled(unit);
        }
        return await MatchMapAsync(unit, cancellationToken).ConfigureAwait(false) ?? new FoundUnit(unit, UnitAnswer.Modbus, null, null, null, []);
    }

    private async Task<FoundUnit?> MatchMapAsync(byte unit, CancellationToken cancellationToken)
    {
        foreach (var map in maps.Maps.Where(m => m.Identification.Count > 0).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            try
            {
                if (await RegisterMapScanner.IdentifyAsync(link, map, link.Name, 0, unit, cancellationToken).ConfigureAwait(false) is { } device)
                    return new FoundUnit(unit, UnitAnswer.Map, device.Manufacturer, device.Model, device.SerialNumber, [], map.Name);
            }
            catch (Exception ex) when (ex is TimeoutException or ModbusDeviceUnavailableException or ModbusCommunicationException)
            {
                return null; // the unit went silent (its breaker may now be open): no other map can answer either
            }
            catch (ModbusException)
            {
                // The unit answers but not these registers: another map may still fit.
            }
        }
        return null;
    }

    private static FoundUnit Garbled(byte unit) => new(unit, UnitAnswer.Garbled, null, null, null, []);
}
