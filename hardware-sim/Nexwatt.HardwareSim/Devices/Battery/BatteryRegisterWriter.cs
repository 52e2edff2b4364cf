using Nexwatt.HardwareSim.Site;
using static Nexwatt.HardwareSim.Devices.SunSpecIds;

namespace Nexwatt.HardwareSim.Devices.Battery;

/// <summary>
/// Puts the battery's state into its SunSpec registers. Sign conventions: model 103 W and model 802 W are
/// positive when the battery discharges (power leaves it), negative when it charges.
/// </summary>
internal sealed class BatteryRegisterWriter
{
    private const double NominalPhaseVolts = 230;
    private const double NominalHertz = 50;
    private const double StateOfHealthPercent = 100;

    private readonly SunSpecRegisterMap _registers;
    private readonly DevicePlan _plan;
    private readonly Random _noise;
    private uint _heartbeat;

    public BatteryRegisterWriter(SunSpecRegisterMap registers, DevicePlan plan, int seed)
    {
        _registers = registers;
        _plan = plan;
        _noise = new Random(seed ^ 0xBA77);
    }

    private double AmpHourRating => _plan.CapacityWattHours / BatteryPhysics.NominalVolts;

    public void WriteStatic()
    {
        var maxPower = Math.Max(_plan.MaxChargeWatts, _plan.MaxDischargeWatts);
        var wSf = SunSpecEncoding.ScaleFactorFor(maxPower);
        var whSf = SunSpecEncoding.ScaleFactorFor(_plan.CapacityWattHours * 2);

        StaticBlocks.WriteCommon(_registers[Common], "SIM-BAT", _plan.SerialNumber, _plan.UnitId);

        var ac = _registers[InverterThreePhase];
        StaticBlocks.WriteMeasurementScaleFactors(ac, wSf, dcAmpsScaleFactor: -1);

        var storage = _registers[SunSpecIds.Storage];
        storage.WriteRaw("WChaMax_SF", wSf);
        storage.WriteRaw("WChaDisChaGra_SF", 0);
        storage.WriteRaw("VAChaMax_SF", wSf);
        storage.WriteRaw("MinRsvPct_SF", -1);
        storage.WriteRaw("ChaState_SF", -1);
        storage.WriteRaw("StorAval_SF", -1);
        storage.WriteRaw("InBatV_SF", -1);
        storage.WriteRaw("InOutWRte_SF", -1);
        storage.WriteRaw("WChaGra", 100);
        storage.WriteRaw("WDisChaGra", 100);
        storage.WriteScaled("VAChaMax", _plan.MaxChargeWatts);
        storage.WriteRaw("InOutWRte_WinTms", 0);
        storage.WriteRaw("InOutWRte_RvrtTms", 0);
        storage.WriteRaw("InOutWRte_RmpTms", 0);

        var battery = _registers[SunSpecIds.Battery];
        battery.WriteRaw("AHRtg_SF", -1);
        battery.WriteRaw("WHRtg_SF", whSf);
        battery.WriteRaw("WChaDisChaMax_SF", wSf);
        battery.WriteRaw("DisChaRte_SF", -1);
        battery.WriteRaw("SoC_SF", -1);
        battery.WriteRaw("DoD_SF", -1);
        battery.WriteRaw("SoH_SF", -1);
        battery.WriteRaw("V_SF", -1);
        battery.WriteRaw("CellV_SF", -3);
        battery.WriteRaw("A_SF", -1);
        battery.WriteRaw("AMax_SF", -1);
        battery.WriteRaw("W_SF", wSf);
        battery.WriteScaled("AHRtg", AmpHourRating);
        battery.WriteScaled("WHRtg", _plan.CapacityWattHours);
        battery.WriteScaled("WChaRteMax", _plan.MaxChargeWatts);
        battery.WriteScaled("WDisChaRteMax", _plan.MaxDischargeWatts);
        battery.WriteScaled("SoCMax", BatteryPhysics.SocMaxPercent);
        battery.WriteScaled("SoCMin", BatteryPhysics.SocMinPercent);
        battery.WriteScaled("SoH", StateOfHealthPercent);
        battery.WriteRaw("LocRemCtl", 0); // REMOTE
        battery.WriteRaw("Typ", 4); // LITHIUM_ION
        battery.WriteRaw("State", 3); // CONNECTED
        battery.WriteRaw("Evt1", 0);
        battery.WriteRaw("Evt2", 0);
        battery.WriteScaled("VMax", BatteryPhysics.NominalVolts * 1.05);
        battery.WriteScaled("VMin", BatteryPhysics.NominalVolts * 0.95);
        battery.WriteScaled("AChaMax", _plan.MaxChargeWatts / (BatteryPhysics.NominalVolts * 0.95));
        battery.WriteScaled("ADisChaMax", _plan.MaxDischargeWatts / (BatteryPhysics.NominalVolts * 0.95));

        var capacity = _registers[StorageCapacity];
        capacity.WriteRaw("WH_SF", whSf);
        capacity.WriteRaw("Pct_SF", -1);
        capacity.WriteScaled("WHRtg", _plan.CapacityWattHours);
        capacity.WriteScaled("SoH", StateOfHealthPercent);
        capacity.WriteRaw("Sta", 0); // OK
    }

    public void WriteSettings(BatteryControls controls)
    {
        var storage = _registers[SunSpecIds.Storage];
        storage.WriteScaled("WChaMax", controls.MaxChargeWatts);
        storage.WriteScaled("MinRsvPct", controls.ReservePercent);
        storage.WriteRaw("ChaGriSet", controls.GridChargingAllowed ? 1 : 0);
    }

    public void WriteCommand(BatteryCommand command)
    {
        var storage = _registers[SunSpecIds.Storage];
        storage.WriteRaw("StorCtl_Mod", (command.Charge ? 1 : 0) | (command.Discharge ? 2 : 0));
        storage.WriteScaled("InWRte", command.InPercent);
        storage.WriteScaled("OutWRte", command.OutPercent);
    }

    public void WriteMeasurements(BatteryPhysics physics, BatteryControls controls, DateTimeOffset now)
    {
        var soc = physics.Pack.SocPercent;
        var outWatts = -physics.TerminalWatts;
        var volts = physics.Volts;

        var storage = _registers[SunSpecIds.Storage];
        storage.WriteScaled("ChaState", soc);
        storage.WriteScaled("StorAval", Math.Max(0, soc - controls.ReservePercent) / 100.0 * AmpHourRating);
        storage.WriteScaled("InBatV", volts);
        storage.WriteRaw("ChaSt", (ushort)physics.Status);

        var battery = _registers[SunSpecIds.Battery];
        battery.WriteScaled("SoC", soc);
        battery.WriteScaled("DoD", 100 - soc);
        battery.WriteRaw("NCyc", (long)(physics.Pack.DischargedWattHours / physics.Pack.CapacityWattHours));
        battery.WriteRaw("ChaSt", (ushort)physics.Status);
        battery.WriteRaw("Hb", _heartbeat++ & 0xFFFF);
        battery.WriteScaled("V", volts);
        battery.WriteScaled("CellVAvg", volts / 112.0); // 112 cells in series at 3.57 V nominal
        battery.WriteScaled("A", -physics.Amps);
        battery.WriteScaled("W", outWatts);

        var capacity = _registers[StorageCapacity];
        capacity.WriteScaled("SoC", soc);
        capacity.WriteScaled("WHAvail", physics.Pack.CapacityWattHours * soc / 100.0 * StateOfHealthPercent / 100.0);

        var ac = _registers[InverterThreePhase];
        var phaseVolts = NominalPhaseVolts + 1.5 * Math.Sin(now.ToUnixTimeSeconds() / 600.0 * 2 * Math.PI) + (_noise.NextDouble() - 0.5) * 0.6;
        var amps = Math.Abs(outWatts) / (3 * phaseVolts);
        ac.WriteScaled("A", amps * 3);
        ac.WriteScaled("AphA", amps);
        ac.WriteScaled("AphB", amps);
        ac.WriteScaled("AphC", amps);
        ac.WriteScaled("PhVphA", phaseVolts);
        ac.WriteScaled("PhVphB", phaseVolts + 0.4);
        ac.WriteScaled("PhVphC", phaseVolts - 0.3);
        ac.WriteScaled("PPVphAB", phaseVolts * Math.Sqrt(3));
        ac.WriteScaled("PPVphBC", phaseVolts * Math.Sqrt(3));
        ac.WriteScaled("PPVphCA", phaseVolts * Math.Sqrt(3));
        ac.WriteScaled("W", outWatts);
        ac.WriteScaled("VA", Math.Abs(outWatts));
        ac.WriteScaled("VAr", 0);
        ac.WriteScaled("PF", outWatts == 0 ? 0 : 100);
        ac.WriteScaled("Hz", NominalHertz + (_noise.NextDouble() - 0.5) * 0.01);
        ac.WriteRaw("WH", (long)physics.Pack.DischargedWattHours % (1L << 32));
        ac.WriteScaled("DCV", volts);
        ac.WriteScaled("DCA", Math.Abs(physics.Amps)); // DCA is unsigned: magnitude only, DCW carries the sign
        ac.WriteScaled("DCW", physics.TerminalWatts);
        ac.WriteScaled("TmpCab", 25 + 5 * Math.Abs(outWatts) / Math.Max(1, _plan.MaxDischargeWatts));
        ac.WriteRaw("St", outWatts == 0 ? OperatingState.Standby : OperatingState.Mppt);
    }
}
