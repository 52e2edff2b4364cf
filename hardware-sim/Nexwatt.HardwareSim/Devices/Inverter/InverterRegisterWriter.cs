using Nexwatt.Protocols.SunSpec;
using Nexwatt.HardwareSim.Site;
using static Nexwatt.HardwareSim.Devices.SunSpecIds;

namespace Nexwatt.HardwareSim.Devices.Inverter;

/// <summary>
/// Puts the inverter's state into its SunSpec registers. Scale factors are fixed at start (sized from the
/// rating) so a master can cache them, as SunSpec allows for sunssf points of a given device.
/// </summary>
internal sealed class InverterRegisterWriter
{
    public const int MpptModules = 2;

    /// <summary>Share of the DC power on each MPPT: two roof faces of unequal size.</summary>
    private static readonly double[] ModuleShare = [0.55, 0.45];

    private const double NominalPhaseVolts = 230;
    private const double NominalHertz = 50;
    private const double MpptNominalVolts = 580;

    private readonly SunSpecRegisterMap _registers;
    private readonly DevicePlan _plan;
    private readonly ushort _measurementModel;
    private readonly Random _noise;
    private readonly double[] _moduleEnergy = new double[MpptModules];
    private double _lastDcEnergy;

    public InverterRegisterWriter(SunSpecRegisterMap registers, DevicePlan plan, ushort measurementModel, int seed)
    {
        _registers = registers;
        _plan = plan;
        _measurementModel = measurementModel;
        _noise = new Random(seed ^ 0x5EED);
    }

    private int Phases => _measurementModel == InverterSinglePhase ? 1 : 3;

    public void WriteStatic()
    {
        var rated = _plan.RatedPowerWatts;
        var wSf = SunSpecEncoding.ScaleFactorFor(rated * InverterPhysics.DcToAcRatio);

        StaticBlocks.WriteCommon(_registers[Common], Phases == 1 ? "SIM-PV-1P" : "SIM-PV-3P", _plan.SerialNumber, _plan.UnitId);

        var m = _registers[_measurementModel];
        StaticBlocks.WriteMeasurementScaleFactors(m, wSf, dcAmpsScaleFactor: -2);

        var nameplate = _registers[Nameplate];
        nameplate.WriteRaw("DERTyp", 4); // PV
        nameplate.WriteRaw("WRtg_SF", wSf);
        nameplate.WriteScaled("WRtg", rated);
        nameplate.WriteRaw("VARtg_SF", wSf);
        nameplate.WriteScaled("VARtg", rated);
        nameplate.WriteRaw("VArRtg_SF", wSf);
        nameplate.WriteScaled("VArRtgQ1", rated * 0.44);
        nameplate.WriteScaled("VArRtgQ4", -rated * 0.44);
        nameplate.WriteRaw("ARtg_SF", -1);
        nameplate.WriteScaled("ARtg", rated / (Phases * NominalPhaseVolts) * 1.1);
        nameplate.WriteRaw("PFRtg_SF", -2);
        nameplate.WriteScaled("PFRtgQ1", 0.9);
        nameplate.WriteScaled("PFRtgQ4", -0.9);

        var settings = _registers[Settings];
        settings.WriteRaw("WMax_SF", wSf);
        settings.WriteScaled("WMax", rated);
        settings.WriteRaw("VRef_SF", -1);
        settings.WriteScaled("VRef", NominalPhaseVolts);
        settings.WriteRaw("VRefOfs_SF", -1);
        settings.WriteScaled("VRefOfs", 0);
        settings.WriteRaw("VMinMax_SF", -1);
        settings.WriteScaled("VMax", NominalPhaseVolts * 1.1);
        settings.WriteScaled("VMin", NominalPhaseVolts * 0.9);
        settings.WriteRaw("VAMax_SF", wSf);
        settings.WriteScaled("VAMax", rated);
        settings.WriteRaw("ECPNomHz_SF", -2);
        settings.WriteScaled("ECPNomHz", NominalHertz);

        var status = _registers[SunSpecIds.Status];
        status.WriteRaw("StorConn", 0);
        status.WriteRaw("VArAval_SF", wSf);
        status.WriteScaled("VArAval", 0);
        status.WriteRaw("WAval_SF", wSf);
        status.WriteRaw("StSetLimMsk", 0);
        status.WriteString("TmSrc", "RTC");
        status.WriteRaw("RtSt", 0);

        var controls = _registers[SunSpecIds.Controls];
        controls.WriteRaw("WMaxLimPct_SF", -1);
        controls.WriteRaw("Conn_WinTms", 0);
        controls.WriteRaw("Conn_RvrtTms", 0);
        controls.WriteRaw("WMaxLimPct_WinTms", 0);
        controls.WriteRaw("WMaxLimPct_RvrtTms", 0);
        controls.WriteRaw("WMaxLimPct_RmpTms", 0);

        var mppt = _registers[Mppt];
        mppt.WriteRaw("DCA_SF", -2);
        mppt.WriteRaw("DCV_SF", -1);
        mppt.WriteRaw("DCW_SF", wSf);
        mppt.WriteRaw("DCWH_SF", 0);
        mppt.WriteRaw("Evt", 0);
        mppt.WriteRaw("N", MpptModules);
        for (var i = 0; i < MpptModules; i++)
        {
            mppt.WriteRaw($"module[{i}].ID", i + 1);
            mppt.WriteString($"module[{i}].IDStr", $"MPPT{i + 1}");
            mppt.WriteRaw($"module[{i}].DCEvt", 0);
        }
    }

    public void WriteControls(InverterControls controls)
    {
        var block = _registers[SunSpecIds.Controls];
        block.WriteRaw("Conn", controls.Connected.Value ? 1 : 0);
        block.WriteRaw("WMaxLim_Ena", controls.LimitPercent.Value is null ? 0 : 1);
        block.WriteScaled("WMaxLimPct", controls.LimitPercent.Value ?? 100);
    }

    public void WriteMeasurements(InverterPhysics physics, InverterControls controls, DateTimeOffset now)
    {
        var ac = physics.AcWatts;
        var running = ac > 0;
        var m = _registers[_measurementModel];
        var phaseVolts = NominalPhaseVolts + 1.5 * Math.Sin(now.ToUnixTimeSeconds() / 600.0 * 2 * Math.PI) + (_noise.NextDouble() - 0.5) * 0.6;
        var hertz = NominalHertz + 0.02 * Math.Sin(now.ToUnixTimeSeconds() / 90.0) + (_noise.NextDouble() - 0.5) * 0.01;
        var amps = ac / (Phases * phaseVolts);
        m.WriteScaled("A", amps * Phases);
        m.WriteScaled("AphA", amps);
        m.WriteScaled("PhVphA", phaseVolts);
        if (Phases == 3)
        {
            m.WriteScaled("AphB", amps);
            m.WriteScaled("AphC", amps);
            m.WriteScaled("PhVphB", phaseVolts + 0.4);
            m.WriteScaled("PhVphC", phaseVolts - 0.3);
            m.WriteScaled("PPVphAB", phaseVolts * Math.Sqrt(3));
            m.WriteScaled("PPVphBC", phaseVolts * Math.Sqrt(3));
            m.WriteScaled("PPVphCA", phaseVolts * Math.Sqrt(3));
        }
        m.WriteScaled("W", ac);
        m.WriteScaled("Hz", hertz);
        m.WriteScaled("VA", ac);
        m.WriteScaled("VAr", 0);
        m.WriteScaled("PF", running ? 100 : 0);
        m.WriteRaw("WH", (long)physics.AcEnergyWattHours % (1L << 32));
        var dcVolts = running || !physics.IsSleeping ? MpptNominalVolts * (1 - 0.0035 * (physics.CellCelsius - 25)) : 0;
        m.WriteScaled("DCV", dcVolts);
        m.WriteScaled("DCA", dcVolts > 0 ? physics.DcWatts / dcVolts : 0);
        m.WriteScaled("DCW", physics.DcWatts);
        var cabinet = physics.AmbientCelsius + 10 * ac / _plan.RatedPowerWatts;
        m.WriteScaled("TmpCab", cabinet);
        m.WriteScaled("TmpSnk", cabinet + 8 * ac / _plan.RatedPowerWatts);
        m.WriteRaw("St", OperatingState(physics, controls));

        var status = _registers[SunSpecIds.Status];
        // PVConn bits: 0 CONNECTED, 1 AVAILABLE, 2 OPERATING.
        status.WriteRaw("PVConn", (controls.Connected.Value ? 1 : 0) | 2 | (running ? 4 : 0));
        status.WriteRaw("ECPConn", controls.Connected.Value ? 1 : 0);
        status.WriteRaw("ActWh", (long)physics.AcEnergyWattHours);
        status.WriteRaw("ActVAh", (long)physics.AcEnergyWattHours);
        status.WriteScaled("WAval", physics.AvailableAcWatts);
        // StActCtl bit 0: FixedW, the active power limit.
        status.WriteRaw("StActCtl", controls.LimitPercent.Value is null ? 0 : 1);
        status.WriteRaw("Tms", SunSpecEncoding.Seconds(now));

        var mppt = _registers[Mppt];
        var newDc = physics.DcEnergyWattHours - _lastDcEnergy;
        _lastDcEnergy = physics.DcEnergyWattHours;
        for (var i = 0; i < MpptModules; i++)
        {
            _moduleEnergy[i] += newDc * ModuleShare[i];
            var volts = dcVolts * (1 - 0.02 * i);
            var watts = physics.DcWatts * ModuleShare[i];
            mppt.WriteScaled($"module[{i}].DCV", volts);
            mppt.WriteScaled($"module[{i}].DCA", volts > 0 ? watts / volts : 0);
            mppt.WriteScaled($"module[{i}].DCW", watts);
            mppt.WriteRaw($"module[{i}].DCWH", (long)_moduleEnergy[i] % (1L << 32));
            mppt.WriteRaw($"module[{i}].Tms", SunSpecEncoding.Seconds(now));
            mppt.WriteRaw($"module[{i}].Tmp", (long)Math.Round(physics.CellCelsius));
            mppt.WriteRaw($"module[{i}].DCSt", OperatingState(physics, controls));
        }
    }

    public static string StateName(InverterPhysics physics, InverterControls controls) => OperatingState(physics, controls) switch
    {
        SunSpecIds.OperatingState.Off => "off",
        SunSpecIds.OperatingState.Sleeping => "sleeping",
        SunSpecIds.OperatingState.Throttled => "throttled",
        _ => "mppt",
    };

    private static int OperatingState(InverterPhysics physics, InverterControls controls)
        => !controls.Connected.Value ? SunSpecIds.OperatingState.Off
            : physics.IsSleeping ? SunSpecIds.OperatingState.Sleeping
            : physics.IsThrottled ? SunSpecIds.OperatingState.Throttled
            : SunSpecIds.OperatingState.Mppt;
}
