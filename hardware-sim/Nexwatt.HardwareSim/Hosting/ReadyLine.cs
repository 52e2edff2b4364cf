using System.Globalization;
using System.Net;
using Nexwatt.HardwareSim.Devices;

namespace Nexwatt.HardwareSim.Hosting;

/// <summary>
/// The machine-readable start-up lines other programs wait for, one per device and then <c>READY all</c>:
/// <c>READY inverter unit=1 endpoint=127.0.0.1:40123 base=40000 name=inverter-1</c>. Keep the format stable:
/// the edge agent's integration tests parse it.
/// </summary>
internal static class ReadyLine
{
    public const string AllReady = "READY all";

    public static string For(SimulatedDevice device, byte unitId, IPEndPoint endpoint, ushort baseAddress)
        => string.Create(CultureInfo.InvariantCulture,
            $"READY {device.Status().Kind} unit={unitId} endpoint={endpoint} base={baseAddress} name={device.Name}");
}
