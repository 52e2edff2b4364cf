using Nexwatt.HardwareSim.Devices;
using Nexwatt.HardwareSim.Devices.Battery;
using Nexwatt.HardwareSim.Devices.Inverter;
using Nexwatt.HardwareSim.Faults;
using Nexwatt.HardwareSim.Physics;
using Nexwatt.HardwareSim.Site;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.HardwareSim.Simulation;

/// <summary>
/// Every device of a site on one simulated clock, advanced by one periodic timer. Inverters step first so the
/// batteries see this tick's PV output (for ChaGriSet = PV).
/// </summary>
internal sealed class SiteSimulation : IDisposable
{
    public static readonly TimeSpan DefaultTickPeriod = TimeSpan.FromSeconds(1);

    private readonly object _tickGate = new();
    private readonly Action<Exception>? _onTickError;
    private ITimer? _timer;

    public SiteSimulation(SimulationPlan plan, SunSpecModelCatalog catalog, TimeProvider time, Action<Exception>? onTickError = null)
    {
        _onTickError = onTickError;
        Clock = new SimulationClock(time, plan.Site.StartTime ?? time.GetUtcNow(), plan.Site.ClockSpeed);
        Sky = new ClearSky(plan.Site.LatitudeDegrees, plan.Site.LongitudeDegrees);
        var devices = new List<SimulatedDevice>();
        foreach (var device in plan.Devices)
        {
            var faults = new DeviceFaults(device.Faults, DeviceFaults.DeriveSeed(plan.Site.Seed, device.Name));
            devices.Add(device.Kind == DeviceKind.Inverter
                ? new InverterDevice(device, catalog, Sky, Clock, faults)
                : new BatteryDevice(device, catalog, Clock, faults));
        }
        Devices = devices;
    }

    public SimulationClock Clock { get; }

    public ClearSky Sky { get; }

    public IReadOnlyList<SimulatedDevice> Devices { get; }

    public SimulatedDevice? Find(string name) => Devices.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Starts ticking every <paramref name="period"/> of real time.</summary>
    public void Start(TimeSpan period)
    {
        _timer?.Dispose();
        _timer = Clock.RealTime.CreateTimer(_ => SafeTick(), null, period, period);
    }

    /// <summary>Advances every device to the simulated now.</summary>
    public void Tick()
    {
        var now = Clock.Now;
        foreach (var device in Devices.OfType<InverterDevice>()) device.Advance(now, 0);
        var pv = Devices.OfType<InverterDevice>().Sum(d => d.AcWatts);
        foreach (var device in Devices.Where(d => d is not InverterDevice)) device.Advance(now, pv);
    }

    public void Dispose() => _timer?.Dispose();

    private void SafeTick()
    {
        // A slow tick must not pile up behind itself: skip rather than queue.
        if (!Monitor.TryEnter(_tickGate)) return;
        try { Tick(); }
        catch (Exception ex) when (_onTickError is not null) { _onTickError(ex); }
        finally { Monitor.Exit(_tickGate); }
    }
}
