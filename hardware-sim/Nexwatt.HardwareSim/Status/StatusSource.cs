using Nexwatt.HardwareSim.Hosting;
using Nexwatt.HardwareSim.Physics;
using Nexwatt.HardwareSim.Simulation;

namespace Nexwatt.HardwareSim.Status;

/// <summary>Collects a status row per device and the site header from the running simulation.</summary>
internal sealed class StatusSource(SiteSimulation simulation, IReadOnlyList<RunningListener> listeners, TimeZoneInfo timeZone)
{
    public DateTimeOffset SimulatedNow => simulation.Clock.Now;

    public IReadOnlyList<StatusRow> Rows()
        => listeners.SelectMany(l => l.Devices.Select(d => new StatusRow(d.Device.Status(), l.Endpoint.ToString(), d.UnitId))).ToList();

    public string Header()
    {
        var now = simulation.Clock.Now;
        var local = TimeZoneInfo.ConvertTime(now, timeZone);
        var sky = simulation.Sky;
        var elevation = SolarPosition.ElevationDegrees(sky.LatitudeDegrees, sky.LongitudeDegrees, now);
        return $"{local:yyyy-MM-dd HH:mm:ss zzz}  x{simulation.Clock.Speed:0.##}  sun {elevation:0.0}°  {sky.IrradianceWattsPerSquareMetre(now):0} W/m²  {sky.AmbientCelsius(now):0.0} °C";
    }
}
