using Nexwatt.HardwareSim.Faults;
using Nexwatt.HardwareSim.Simulation;
using Nexwatt.HardwareSim.Site;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.HardwareSim.Devices.Battery;

/// <summary>
/// A SunSpec battery with its converter: models 1, 802, 124, 713 and 103 (AC side).
/// Obeys model 124 WChaMax, StorCtl_Mod, InWRte, OutWRte, InOutWRte_RvrtTms, MinRsvPct and ChaGriSet.
/// </summary>
internal sealed class BatteryDevice : SimulatedDevice
{
    private static readonly string[] CommandPoints = ["StorCtl_Mod", "OutWRte", "InWRte", "InOutWRte_WinTms", "InOutWRte_RvrtTms", "InOutWRte_RmpTms"];

    private readonly BatteryPhysics _physics;
    private readonly BatteryRegisterWriter _writer;

    public BatteryDevice(DevicePlan plan, SunSpecModelCatalog catalog, SimulationClock clock, DeviceFaults faults)
        : this(plan, CreateRegisters(catalog), clock, faults)
    {
    }

    private BatteryDevice(DevicePlan plan, SunSpecRegisterMap registers, SimulationClock clock, DeviceFaults faults)
        : base(plan, registers, clock, faults)
    {
        _physics = new BatteryPhysics(plan.CapacityWattHours, plan.MaxChargeWatts, plan.MaxDischargeWatts, plan.InitialSocPercent);
        Controls = new BatteryControls(plan.MaxChargeWatts);
        _writer = new BatteryRegisterWriter(registers, plan, faults.Seed);
        _writer.WriteStatic();
        _writer.WriteSettings(Controls);
        PublishControls();
        Advance(clock.Now, 0);
    }

    public BatteryControls Controls { get; }

    public double SocPercent { get { lock (Gate) return _physics.Pack.SocPercent; } }

    /// <summary>AC power out of the battery (positive when discharging), the sign of model 103 W.</summary>
    public override double AcWatts { get { lock (Gate) return -_physics.TerminalWatts; } }

    public static SunSpecRegisterMap CreateRegisters(SunSpecModelCatalog catalog) => new(catalog,
    [
        (SunSpecIds.Common, null),
        (SunSpecIds.InverterThreePhase, null),
        (SunSpecIds.Storage, null),
        (SunSpecIds.Battery, null),
        (SunSpecIds.StorageCapacity, null),
    ]);

    protected override void Step(DateTimeOffset at, double seconds, double sitePvWatts) => _physics.Step(seconds, Controls, sitePvWatts);

    protected override bool RevertIfDue(DateTimeOffset now) => Controls.RevertIfDue(now);

    protected override void PublishControls() => _writer.WriteCommand(Controls.Command.Value);

    protected override void PublishMeasurements(DateTimeOffset now) => _writer.WriteMeasurements(_physics, Controls, now);

    protected override ModbusExceptionCode? ApplyWrite(ushort address, int count, DateTimeOffset now)
    {
        var storage = Registers[SunSpecIds.Storage];

        // Validate every touched control before applying any, so a rejected write changes nothing.
        double? maxCharge = null;
        if (Registers.Touches(address, count, SunSpecIds.Storage, "WChaMax"))
        {
            if (storage.Read("WChaMax").Value is not { } w || w <= 0 || w > _physics.RatedChargeWatts + 0.5) return ModbusExceptionCode.IllegalDataValue;
            maxCharge = w;
        }

        (BatteryCommand Command, TimeSpan Revert)? command = null;
        if (Registers.Touches(address, count, SunSpecIds.Storage, CommandPoints))
        {
            var mode = storage.Read("StorCtl_Mod");
            var bits = mode.IsImplemented ? mode.Raw : 0;
            if ((bits & ~3L) != 0) return ModbusExceptionCode.IllegalDataValue;
            var inRate = Percent(storage.Read("InWRte"));
            var outRate = Percent(storage.Read("OutWRte"));
            if (inRate is not (>= -100 and <= 100) || outRate is not (>= -100 and <= 100)) return ModbusExceptionCode.IllegalDataValue;
            var revert = storage.Read("InOutWRte_RvrtTms");
            command = (new BatteryCommand((bits & 1) != 0, (bits & 2) != 0, inRate.Value, outRate.Value),
                revert.IsImplemented && revert.Raw > 0 ? TimeSpan.FromSeconds(revert.Raw) : TimeSpan.Zero);
        }

        double? reserve = null;
        if (Registers.Touches(address, count, SunSpecIds.Storage, "MinRsvPct"))
        {
            var r = storage.Read("MinRsvPct").Value;
            if (r is not (>= 0 and <= 100)) return ModbusExceptionCode.IllegalDataValue;
            reserve = r;
        }

        bool? gridCharging = null;
        if (Registers.Touches(address, count, SunSpecIds.Storage, "ChaGriSet"))
        {
            var set = storage.Read("ChaGriSet");
            if (!set.IsImplemented || set.Raw is not (0 or 1)) return ModbusExceptionCode.IllegalDataValue;
            gridCharging = set.Raw == 1;
        }

        if (maxCharge is { } m) Controls.MaxChargeWatts = m;
        if (command is { } c) Controls.Command.Set(c.Command, c.Command.IsIdle ? TimeSpan.Zero : c.Revert, now);
        if (reserve is { } rsv) Controls.ReservePercent = rsv;
        if (gridCharging is { } g) Controls.GridChargingAllowed = g;
        return null;
    }

    protected override DeviceStatus Snapshot() => new(
        Name, "battery", -_physics.TerminalWatts, _physics.Pack.SocPercent, _physics.Status.ToString().ToLowerInvariant(),
        Controls.Describe(), Faults.Requests, Faults.Injected, Faults.Plan.ToString());

    /// <summary>An unimplemented rate register reads as 0 %.</summary>
    private static double? Percent(SunSpecValue value) => value.IsImplemented ? value.Value : 0;
}
