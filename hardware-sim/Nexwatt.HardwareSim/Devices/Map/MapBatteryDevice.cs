using Nexwatt.HardwareSim.Devices.Battery;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Server;
using Nexwatt.Protocols.RegisterMaps;

namespace Nexwatt.HardwareSim.Devices.Map;

/// <summary>
/// A battery that speaks a vendor register map, with the same physics as the SunSpec battery (<see cref="BatteryPhysics"/>).
/// It obeys the map's own control section: after each write it finds which step the registers now hold (charge,
/// discharge or stop: every constant of the step matches), takes the power from the step's power register and the
/// revert time from its timer register, and when that timer runs out it writes the stop step itself and idles, as a
/// Huawei battery ends a forcible charge after its period. Identification registers hold values that satisfy the map.
/// </summary>
internal sealed class MapBatteryDevice : IModbusDataModel
{
    private readonly object _gate = new();
    private readonly RegisterMap _map;
    private readonly MapControl _control;
    private readonly byte _unitId;
    private readonly Dictionary<(byte Unit, RegisterKind Kind), ushort[]> _tables = [];
    private readonly BatteryPhysics _physics;
    private readonly BatteryControls _controls;
    private readonly TimeProvider _time;

    public MapBatteryDevice(RegisterMap map, byte unitId, double ratedWatts, double capacityWattHours, double initialSocPercent, TimeProvider time)
    {
        _time = time;
        _map = map;
        _control = map.Control ?? throw new ArgumentException($"map {map.Name} has no control section: there is no battery to simulate", nameof(map));
        _unitId = unitId;
        _physics = new BatteryPhysics(capacityWattHours, ratedWatts, ratedWatts, initialSocPercent);
        _controls = new BatteryControls(ratedWatts) { ReservePercent = 0 };
        foreach (var rule in map.Identification) WriteIdentity(rule);
        if (_control.Rating.Point is { } rating) Set(map.Get(rating), ratedWatts);
        foreach (var step in _control.Stop) Set(map.Get(step.Point), step.Constant);
        Publish();
    }

    /// <summary>Battery power out of the terminals (discharge positive), the project's sign.</summary>
    public double DischargeWatts { get { lock (_gate) return -_physics.TerminalWatts; } }

    public string Describe()
    {
        lock (_gate) return $"{_map.Name} soc={_physics.Pack.SocPercent:0.0}% power={-_physics.TerminalWatts + 0.0:0} W command={_controls.Describe()}";
    }

    /// <summary>Runs the physics for <paramref name="seconds"/> and publishes the measurements (unless a freeze fault holds them).</summary>
    public void Step(double seconds, DateTimeOffset now, bool publish = true)
    {
        lock (_gate)
        {
            if (_controls.RevertIfDue(now))
                foreach (var step in _control.Stop) Set(_map.Get(step.Point), step.Constant); // the device ends the command itself
            _physics.Step(seconds, _controls, pvWatts: 0);
            if (publish) Publish();
        }
    }

    public bool HasUnit(byte unitId) => _tables.Keys.Any(k => k.Unit == unitId) || unitId == _unitId;

    public ModbusExceptionCode? ReadRegisters(byte unitId, ModbusTable table, ushort address, Span<ushort> destination)
    {
        lock (_gate)
        {
            var words = Table(unitId, table == ModbusTable.InputRegisters ? RegisterKind.Input : RegisterKind.Holding);
            if (address + destination.Length > words.Length) return ModbusExceptionCode.IllegalDataAddress;
            words.AsSpan(address, destination.Length).CopyTo(destination);
            return null;
        }
    }

    public ModbusExceptionCode? WriteRegisters(byte unitId, ushort address, ReadOnlySpan<ushort> values)
    {
        lock (_gate)
        {
            // Only registers the map marks writable take writes, as a real device refuses the rest.
            for (var a = address; a < address + values.Length; a++)
                if (!_map.Points.Any(p => p.Writable && (p.UnitId ?? _unitId) == unitId && p.Kind == RegisterKind.Holding && a >= p.Address && a < p.Address + p.Count))
                    return ModbusExceptionCode.IllegalDataAddress;
            values.CopyTo(Table(unitId, RegisterKind.Holding).AsSpan(address));
            Obey(_time.GetUtcNow());
            return null;
        }
    }

    public ModbusExceptionCode? ReadBits(byte unitId, ModbusTable table, ushort address, Span<bool> destination) => ModbusExceptionCode.IllegalFunction;

    public ModbusExceptionCode? WriteCoils(byte unitId, ushort address, ReadOnlySpan<bool> values) => ModbusExceptionCode.IllegalFunction;

    private void Obey(DateTimeOffset now)
    {
        var charge = Matches(_control.Charge);
        var discharge = Matches(_control.Discharge);
        if (!charge && !discharge) { _controls.Command.Set(BatteryCommand.Idle, TimeSpan.Zero, now); return; }
        var steps = charge ? _control.Charge : _control.Discharge;
        double watts = 0;
        var revert = TimeSpan.Zero;
        foreach (var step in steps)
        {
            var value = Get(_map.Get(step.Point));
            switch (step.Value)
            {
                case ControlValue.PowerWatts: watts = Math.Abs(value); break;
                case ControlValue.SignedPowerWatts: watts = Math.Abs(value); charge = value * _map.Get(step.Point).Sign < 0; break;
                case ControlValue.PowerPercentOfRating or ControlValue.NegatedPowerPercentOfRating: watts = Math.Abs(value) / 100 * _physics.RatedDischargeWatts; break;
                case ControlValue.RevertSeconds: revert = TimeSpan.FromSeconds(value); break;
                case ControlValue.RevertMinutes: revert = TimeSpan.FromMinutes(value); break;
            }
        }
        var percent = watts / _controls.MaxChargeWatts * 100;
        _controls.Command.Set(charge ? new BatteryCommand(true, false, percent, 0) : new BatteryCommand(false, true, 0, percent), revert, now);
    }

    private bool Matches(IReadOnlyList<ControlWrite> steps) =>
        steps.All(s => s.Value != ControlValue.Constant || Math.Abs(Get(_map.Get(s.Point)) - s.Constant) < 1e-6);

    private void Publish()
    {
        var measured = _map.Get(_control.MeasuredPowerPoint);
        Set(measured, -_physics.TerminalWatts * measured.Sign);
        Set(_map.Get(_control.StateOfChargePoint), _physics.Pack.SocPercent);
    }

    private void WriteIdentity(IdentificationRule rule)
    {
        var point = _map.Get(rule.Point);
        var words = Table(point.UnitId ?? _unitId, point.Kind).AsSpan(point.Address, point.Count);
        if (point.Type == PointType.String) PointCodec.EncodeString(point, (rule.StartsWith ?? rule.EqualTo ?? "") + (rule.EqualTo is null ? "-SIM" : ""), words);
        else if (rule.EqualTo is { } text && double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value)) PointCodec.Encode(point, value, words);
        else if (rule.Minimum is { } min) PointCodec.Encode(point, rule.Maximum is { } max ? (min + max) / 2 : min, words);
    }

    private double Get(RegisterPoint point) =>
        PointCodec.Decode(point, Table(point.UnitId ?? _unitId, point.Kind).AsSpan(point.Address, point.Count)).AsNumber ?? double.NaN;

    private void Set(RegisterPoint point, double value) =>
        PointCodec.Encode(point, value, Table(point.UnitId ?? _unitId, point.Kind).AsSpan(point.Address, point.Count));

    private ushort[] Table(byte unit, RegisterKind kind)
    {
        if (!_tables.TryGetValue((unit, kind), out var words)) _tables[(unit, kind)] = words = new ushort[65536];
        return words;
    }
}
