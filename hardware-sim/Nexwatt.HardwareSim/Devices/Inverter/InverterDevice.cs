using Nexwatt.HardwareSim.Faults;
using Nexwatt.HardwareSim.Physics;
using Nexwatt.HardwareSim.Simulation;
using Nexwatt.HardwareSim.Site;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.HardwareSim.Devices.Inverter;

/// <summary>
/// A SunSpec PV inverter: models 1, 103 (or 101), 120, 121, 122, 123 and 160 with two MPPT modules.
/// Obeys 121 WMax, 123 WMaxLimPct/WMaxLim_Ena/WMaxLimPct_RvrtTms and 123 Conn/Conn_RvrtTms.
/// </summary>
internal sealed class InverterDevice : SimulatedDevice
{
    private static readonly string[] LimitPoints = ["WMaxLimPct", "WMaxLimPct_WinTms", "WMaxLimPct_RvrtTms", "WMaxLimPct_RmpTms", "WMaxLim_Ena"];
    private static readonly string[] ConnectPoints = ["Conn_WinTms", "Conn_RvrtTms", "Conn"];

    private readonly InverterPhysics _physics;
    private readonly InverterRegisterWriter _writer;
    private readonly ushort _measurementModel;

    public InverterDevice(DevicePlan plan, SunSpecModelCatalog catalog, ClearSky sky, SimulationClock clock, DeviceFaults faults)
        : this(plan, CreateRegisters(plan, catalog), sky, clock, faults)
    {
    }

    private InverterDevice(DevicePlan plan, SunSpecRegisterMap registers, ClearSky sky, SimulationClock clock, DeviceFaults faults)
        : base(plan, registers, clock, faults)
    {
        _measurementModel = plan.Phases == 1 ? SunSpecIds.InverterSinglePhase : SunSpecIds.InverterThreePhase;
        _physics = new InverterPhysics(plan.RatedPowerWatts, sky);
        _writer = new InverterRegisterWriter(registers, plan, _measurementModel, faults.Seed);
        _writer.WriteStatic();
        PublishControls();
        Advance(clock.Now, 0);
    }

    public InverterControls Controls { get; } = new();

    public override double AcWatts { get { lock (Gate) return _physics.AcWatts; } }

    public static SunSpecRegisterMap CreateRegisters(DevicePlan plan, SunSpecModelCatalog catalog) => new(catalog,
    [
        (SunSpecIds.Common, null),
        (plan.Phases == 1 ? SunSpecIds.InverterSinglePhase : SunSpecIds.InverterThreePhase, null),
        (SunSpecIds.Nameplate, null),
        (SunSpecIds.Settings, null),
        (SunSpecIds.Status, null),
        (SunSpecIds.Controls, null),
        (SunSpecIds.Mppt, new Dictionary<string, int> { ["module"] = InverterRegisterWriter.MpptModules }),
    ]);

    protected override void Step(DateTimeOffset at, double seconds, double sitePvWatts)
        => _physics.Step(at, seconds, Controls.OutputCeilingWatts(_physics.MaxWatts));

    protected override bool RevertIfDue(DateTimeOffset now) => Controls.RevertIfDue(now);

    protected override void PublishControls() => _writer.WriteControls(Controls);

    protected override void PublishMeasurements(DateTimeOffset now) => _writer.WriteMeasurements(_physics, Controls, now);

    protected override ModbusExceptionCode? ApplyWrite(ushort address, int count, DateTimeOffset now)
    {
        var settings = Registers[SunSpecIds.Settings];
        var controls = Registers[SunSpecIds.Controls];

        // Validate every touched control before applying any, so a rejected write changes nothing.
        double? maxWatts = null;
        if (Registers.Touches(address, count, SunSpecIds.Settings, "WMax"))
        {
            var wmax = settings.Read("WMax").Value;
            if (wmax is not { } w || w <= 0 || w > _physics.RatedAcWatts + 0.5) return ModbusExceptionCode.IllegalDataValue;
            maxWatts = w;
        }

        (double? Percent, TimeSpan Revert)? limit = null;
        if (Registers.Touches(address, count, SunSpecIds.Controls, LimitPoints))
        {
            var enabled = controls.Read("WMaxLim_Ena");
            if (!enabled.IsImplemented || enabled.Raw is not (0 or 1)) return ModbusExceptionCode.IllegalDataValue;
            var percent = controls.Read("WMaxLimPct").Value;
            if (enabled.Raw == 1 && percent is not (>= 0 and <= 100)) return ModbusExceptionCode.IllegalDataValue;
            limit = (enabled.Raw == 1 ? percent : null, Seconds(controls.Read("WMaxLimPct_RvrtTms")));
        }

        (bool Connected, TimeSpan Revert)? connect = null;
        if (Registers.Touches(address, count, SunSpecIds.Controls, ConnectPoints))
        {
            var conn = controls.Read("Conn");
            if (!conn.IsImplemented || conn.Raw is not (0 or 1)) return ModbusExceptionCode.IllegalDataValue;
            connect = (conn.Raw == 1, Seconds(controls.Read("Conn_RvrtTms")));
        }

        if (maxWatts is { } m) _physics.MaxWatts = m;
        if (limit is { } l) Controls.LimitPercent.Set(l.Percent, l.Percent is null ? TimeSpan.Zero : l.Revert, now);
        // Only a disconnect reverts (to connected); a connect is already the default.
        if (connect is { } c) Controls.Connected.Set(c.Connected, c.Connected ? TimeSpan.Zero : c.Revert, now);
        return null;
    }

    protected override DeviceStatus Snapshot() => new(
        Name, "inverter", _physics.AcWatts, null, InverterRegisterWriter.StateName(_physics, Controls), Controls.Describe(),
        Faults.Requests, Faults.Injected, Faults.Plan.ToString());

    private static TimeSpan Seconds(SunSpecValue value) => value.IsImplemented && value.Raw > 0 ? TimeSpan.FromSeconds(value.Raw) : TimeSpan.Zero;
}
