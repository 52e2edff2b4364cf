using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Readings;
using Nexwatt.EdgeAgent.RegisterMaps;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.RegisterMaps;

namespace Nexwatt.EdgeAgent.Polling;

/// <summary>
/// A device read through a register map: checks the device is of the map's family once, then reads every point per
/// poll in the planned requests and emits canonical readings (value in the canonical unit, the map's sign applied),
/// each sub-device (battery, meter) as its own device id. Numeric points without a canonical measurement travel as
/// extras. Its controller (or its reason for having none) is registered for dispatch on first contact.
/// </summary>
internal sealed class RegisterMapDeviceSource(
    DeviceOptions device,
    RegisterMap map,
    IModbusClient client,
    DeviceHealthBoard health,
    TimeProvider time,
    ILogger logger,
    Dispatch.DeviceControlRegistry? controls,
    Dispatch.DispatchOptions dispatch) : IDeviceSource
{
    private readonly byte _unitId = (byte)device.UnitId;
    private readonly IReadOnlyList<RegisterPoint> _polled = PolledPoints(map);
    private bool _identified;

    private string DeviceId => device.EffectiveId;

    public string Endpoint => $"{device.Host}:{device.Port}/{device.UnitId} ({map.Name})";

    public async ValueTask<PolledReadings> ReadAsync(CancellationToken cancellationToken)
    {
        if (!_identified) await IdentifyAsync(cancellationToken).ConfigureAwait(false);
        var values = await RegisterMapReader.ReadAsync(client, map, _unitId, _polled, cancellationToken).ConfigureAwait(false);
        var timestamp = time.GetUtcNow();
        var readings = new List<Reading>(values.Count);
        foreach (var value in values)
        {
            var id = SubDeviceId(DeviceId, value.Point.SubDevice);
            readings.Add(value.Point.Canonical is { } canonical
                ? CanonicalReadings.Create(id, canonical, value.CanonicalValue, timestamp)
                : CanonicalReadings.Extra(id, value.Point.Name, value.Value.AsNumber, value.Point.Unit, timestamp));
        }
        return new PolledReadings(timestamp, readings);
    }

    public static string SubDeviceId(string deviceId, string? subDevice) => subDevice is null ? deviceId : $"{deviceId}.{subDevice}"; // "." because the collector links ids of letters, digits, ".", "_" and "-" only

    public bool IsDeviceFault(Exception exception) => exception is ModbusException or TimeoutException or IOException or MapMismatchException;

    // Another device may answer at the address after a fault that is not the link's: check its identity again.
    public void OnFault(Exception exception) => _identified &= exception is TimeoutException or ModbusCommunicationException or ModbusDeviceUnavailableException;

    private async Task IdentifyAsync(CancellationToken cancellationToken)
    {
        if (await MapIdentification.MismatchAsync(client, map, _unitId, cancellationToken).ConfigureAwait(false) is { } why)
            throw new MapMismatchException(DeviceId, map.Name, why);
        var identity = map.Identification.Count == 0 ? []
            : await RegisterMapReader.ReadAsync(client, map, _unitId, map.Points.Where(p => p.Type == PointType.String), cancellationToken).ConfigureAwait(false);
        var model = MapIdentification.Describe(map, identity);
        var serial = identity.FirstOrDefault(r => r.Point.Name.Contains("serial", StringComparison.Ordinal))?.Value.Text;
        health.SetDescription(new DeviceDescription(DeviceId, $"{device.Host}:{device.Port}", device.UnitId, map.Manufacturer, model ?? map.Name, serial, []));
        if (controls is not null)
        {
            var controller = new Dispatch.RegisterMapController(client, _unitId, map, dispatch, time);
            controls.RegisterController(DeviceId, controller);
            // The battery is also its own asset (a sub-device): a target for it reaches the same controller.
            foreach (var sub in map.Points.Select(p => p.SubDevice).OfType<string>().Distinct())
                controls.RegisterController(SubDeviceId(DeviceId, sub), controller);
        }
        RegisterMapLog.DeviceIdentified(logger, DeviceId, map.Name, model ?? "?", map.Control is null ? "none" : "battery");
        _identified = true;
    }

    // Scale-factor registers are read with the points they scale; strings (identity) only at identification;
    // the writable registers of the control section are read by the controller when it needs them.
    private static List<RegisterPoint> PolledPoints(RegisterMap map)
    {
        var scaleRegisters = map.Points.Select(p => p.ScaleRegister).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return map.Points.Where(p => p.Type != PointType.String && !p.Writable && !scaleRegisters.Contains(p.Name)).ToList();
    }
}
