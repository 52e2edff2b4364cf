using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Polling;

/// <summary>
/// Builds the source of each configured device from its <see cref="DeviceOptions.Type"/>, and owns what sources of
/// one kind share (the Modbus links: one per gateway or bus). Types are checked at start, so an unknown one here is a bug.
/// </summary>
internal sealed class DeviceSourceFactory(
    SunSpecModelCatalog catalog,
    DeviceHealthBoard health,
    Dispatch.DeviceControlRegistry controls,
    TimeProvider time,
    ILoggerFactory loggers,
    AgentOptions? agent = null) : IAsyncDisposable
{
    private readonly DeviceLinks _links = new(time, loggers);
    private readonly Lazy<Protocols.RegisterMaps.RegisterMapCatalog> _maps = new(() => RegisterMaps.AgentRegisterMaps.Load(agent?.RegisterMapsFolder));

    public IDeviceSource Create(DeviceOptions device, ILogger logger) => device.Type.ToLowerInvariant() switch
    {
        DeviceTypes.SunSpec => new SunSpecDeviceSource(device, _links.For(device), catalog, health, time, logger, controls),
        DeviceTypes.Enphase => new Enphase.EnphaseDeviceSource(device, time, logger, Enphase.CertificatePin.DefaultStateDirectory(), controls, health),
        DeviceTypes.Map => new RegisterMapDeviceSource(device, _maps.Value.Find(device.Map!)!, _links.For(device), health, time, logger, controls, agent?.Dispatch ?? new()),
        _ => throw new InvalidOperationException($"device type '{device.Type}' passed validation but has no source"),
    };

    /// <summary>The register maps devices of type "map" are read with (shipped and user maps).</summary>
    public Protocols.RegisterMaps.RegisterMapCatalog Maps => _maps.Value;

    /// <summary>The bus link of a serial port, the one its configured devices use.</summary>
    public Protocols.Modbus.Client.ModbusRtuLink SerialBus(SerialOptions serial) => _links.SerialBus(serial);

    public ValueTask DisposeAsync() => _links.DisposeAsync();
}
