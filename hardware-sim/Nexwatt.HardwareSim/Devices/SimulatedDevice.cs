using Nexwatt.HardwareSim.Faults;
using Nexwatt.HardwareSim.Simulation;
using Nexwatt.HardwareSim.Site;
using Nexwatt.Protocols.Modbus;

namespace Nexwatt.HardwareSim.Devices;

/// <summary>
/// A simulated SunSpec device. One lock guards its physics, controls and registers, so a Modbus read always
/// sees the registers of one finished tick and a write is applied between ticks, never in the middle.
/// </summary>
internal abstract class SimulatedDevice
{
    /// <summary>Integration step: short enough for smooth energy counters and timely reverts.</summary>
    private static readonly TimeSpan MaxStep = TimeSpan.FromSeconds(5);

    /// <summary>Caps the work per tick at very high clock speeds; the step grows instead.</summary>
    private const int MaxStepsPerAdvance = 600;

    private DateTimeOffset _simulatedUntil;

    protected SimulatedDevice(DevicePlan plan, SunSpecRegisterMap registers, SimulationClock clock, DeviceFaults faults)
    {
        Plan = plan;
        Registers = registers;
        Clock = clock;
        Faults = faults;
        _simulatedUntil = clock.Now;
    }

    protected object Gate { get; } = new();

    public DevicePlan Plan { get; }

    public string Name => Plan.Name;

    public DeviceFaults Faults { get; }

    protected SunSpecRegisterMap Registers { get; }

    /// <summary>Modbus address of the "SunS" marker.</summary>
    public ushort BaseAddress => Registers.BaseAddress;

    /// <summary>Where each model starts, in image order.</summary>
    public IReadOnlyList<(ushort ModelId, ushort Address, int Length)> Layout => Registers.Layout.ToList();

    protected SimulationClock Clock { get; }

    /// <summary>Present AC power fed into the site (inverter) or out of the battery; read by the site coupling.</summary>
    public abstract double AcWatts { get; }

    /// <summary>Runs the physics up to <paramref name="now"/> and publishes the registers unless frozen.</summary>
    public void Advance(DateTimeOffset now, double sitePvWatts)
    {
        lock (Gate)
        {
            var remaining = now - _simulatedUntil;
            if (remaining > TimeSpan.Zero)
            {
                var step = TimeSpan.FromTicks(Math.Max(MaxStep.Ticks, remaining.Ticks / MaxStepsPerAdvance));
                while (_simulatedUntil < now)
                {
                    var dt = now - _simulatedUntil < step ? now - _simulatedUntil : step;
                    if (RevertIfDue(_simulatedUntil)) PublishControls();
                    Step(_simulatedUntil, dt.TotalSeconds, sitePvWatts);
                    _simulatedUntil += dt;
                }
            }
            if (RevertIfDue(now)) PublishControls();
            if (!Faults.Plan.Frozen) PublishMeasurements(now);
        }
    }

    public ModbusExceptionCode? Read(ushort address, Span<ushort> destination)
    {
        lock (Gate) return Registers.Read(address, destination);
    }

    /// <summary>
    /// A master's write: only RW points, applied all or nothing. The control semantics validate the new
    /// register content; a rejected write leaves the old content in place.
    /// </summary>
    public ModbusExceptionCode? Write(ushort address, ReadOnlySpan<ushort> values)
    {
        lock (Gate)
        {
            if (Registers.CheckWritable(address, values.Length) is { } refused) return refused;
            var target = Registers.Slice(address, values.Length);
            var backup = target.ToArray();
            values.CopyTo(target);
            var error = ApplyWrite(address, values.Length, Clock.Now);
            if (error is not null) backup.CopyTo(target);
            return error;
        }
    }

    public DeviceStatus Status()
    {
        lock (Gate) return Snapshot();
    }

    protected abstract void Step(DateTimeOffset at, double seconds, double sitePvWatts);

    protected abstract bool RevertIfDue(DateTimeOffset now);

    /// <summary>Writes the control registers from the control state (after a revert).</summary>
    protected abstract void PublishControls();

    protected abstract void PublishMeasurements(DateTimeOffset now);

    /// <summary>Validates and applies the control registers a write touched; null on success.</summary>
    protected abstract ModbusExceptionCode? ApplyWrite(ushort address, int count, DateTimeOffset now);

    protected abstract DeviceStatus Snapshot();
}
