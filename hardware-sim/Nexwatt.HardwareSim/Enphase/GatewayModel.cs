using System.Globalization;
using Nexwatt.HardwareSim.Physics;
using Nexwatt.HardwareSim.Simulation;

namespace Nexwatt.HardwareSim.Enphase;

/// <summary>
/// The site behind a simulated gateway: microinverters on the clear-sky PV model, a household load, IQ Batteries on
/// the battery pack model obeying the tariff's storage settings, and the CT meters that see the result. Advanced
/// lazily to the simulated now on every read, so the values follow the same clock as the Modbus devices.
/// </summary>
internal sealed class GatewayModel
{
    /// <summary>IQ Battery 3: 3.5 kWh, 1.28 kW continuous.</summary>
    public const double BatteryCapacityWattHours = 3500;
    public const double BatteryMaxWatts = 1280;
    public const double InverterEfficiency = 0.96;

    private readonly object _gate = new();
    private readonly SimulationClock _clock;
    private readonly ClearSky _sky;
    private readonly PvArrayModel _array;
    private readonly string[] _microSerials;
    private readonly (string Serial, BatteryPack Pack)[] _batteries;
    private readonly double[] _batteryWatts;
    private DateTimeOffset _last;
    private double _pvWatts, _loadWatts, _netWatts;
    private double _productionWh, _productionTodayWh, _consumptionWh, _importWh, _exportWh;

    public GatewayModel(GatewayModelOptions options, SimulationClock clock, ClearSky sky, TimeProvider time)
    {
        _clock = clock;
        _sky = sky;
        Serial = options.Serial;
        _array = new PvArrayModel(options.Microinverters * options.MicroinverterDcWatts);
        _microSerials = [.. Enumerable.Range(1, options.Microinverters).Select(i => string.Create(CultureInfo.InvariantCulture, $"4822460{i:D5}"))];
        _batteries = [.. Enumerable.Range(1, options.Batteries).Select(i => (string.Create(CultureInfo.InvariantCulture, $"1222490{i:D5}"), new BatteryPack(BatteryCapacityWattHours, options.InitialSocPercent)))];
        _batteryWatts = new double[_batteries.Length];
        MicroinverterMaxWatts = options.MicroinverterDcWatts * InverterEfficiency;
        Tariff = new TariffDocument(StorageSettings.Default, time);
        _last = clock.Now;
    }

    public string Serial { get; }

    public double MicroinverterMaxWatts { get; }

    /// <summary>Read and written under the model's lock only (<see cref="WithTariff{T}"/>).</summary>
    private TariffDocument Tariff { get; }

    public T WithTariff<T>(Func<TariffDocument, T> action)
    {
        lock (_gate)
        {
            Advance(_clock.Now);
            return action(Tariff);
        }
    }

    public GatewaySnapshot Read()
    {
        lock (_gate)
        {
            var now = _clock.Now;
            Advance(now);
            var perMicro = _pvWatts / _microSerials.Length;
            return new GatewaySnapshot(
                now, _pvWatts, _loadWatts, _netWatts, _productionWh, _productionTodayWh, _consumptionWh, _importWh, _exportWh,
                VoltageVolts: 230.0 + 2.0 * Math.Sin(now.ToUnixTimeSeconds() / 300.0), FrequencyHertz: 50.0, PowerFactor: 0.98, Phases: 3,
                [.. _microSerials.Select((s, i) => new MicroinverterReading(s, Math.Round(perMicro * (1 + 0.02 * ((i % 3) - 1))), MicroinverterMaxWatts))],
                [.. _batteries.Select((b, i) => new BatteryReading(b.Serial, _batteryWatts[i], b.Pack.SocPercent, b.Pack.StoredWattHours, b.Pack.CapacityWattHours, 24 + Math.Abs(_batteryWatts[i]) / 200))]);
        }
    }

    /// <summary>Household load, W: a base load with a morning and a larger evening peak in local solar time.</summary>
    public static double LoadWatts(DateTimeOffset instant, double longitudeDegrees)
    {
        var solarHour = (instant.UtcDateTime.TimeOfDay.TotalHours + longitudeDegrees / 15.0 + 24) % 24;
        static double Peak(double hour, double centre, double width) => Math.Exp(-Math.Pow((hour - centre) / width, 2));
        return 350 + 600 * Peak(solarHour, 7.5, 1.0) + 1400 * Peak(solarHour, 19.0, 1.5);
    }

    private void Advance(DateTimeOffset now)
    {
        var seconds = (now - _last).TotalSeconds;
        if (seconds <= 0) return;
        if (now.UtcDateTime.Date != _last.UtcDateTime.Date) _productionTodayWh = 0;
        _last = now;
        var irradiance = _sky.IrradianceWattsPerSquareMetre(now);
        _pvWatts = _array.DcWatts(irradiance, _sky.AmbientCelsius(now)) * InverterEfficiency;
        _loadWatts = LoadWatts(now, _sky.LongitudeDegrees);
        var settings = Tariff.Settings;
        var surplus = _pvWatts - _loadWatts;
        double batteryTotal = 0;
        for (var i = 0; i < _batteries.Length; i++)
        {
            var requestedCharge = RequestedChargeWatts(settings, surplus / _batteries.Length);
            // BatteryPack counts charge positive; the gateway reports discharge positive.
            _batteryWatts[i] = -_batteries[i].Pack.Run(requestedCharge, seconds, settings.ReservedSocPercent, 100);
            batteryTotal += _batteryWatts[i];
        }
        _netWatts = _loadWatts - _pvWatts - batteryTotal;
        var hours = seconds / 3600.0;
        _productionWh += _pvWatts * hours;
        _productionTodayWh += _pvWatts * hours;
        _consumptionWh += _loadWatts * hours;
        if (_netWatts > 0) _importWh += _netWatts * hours;
        else _exportWh -= _netWatts * hours;
    }

    /// <summary>
    /// Charge request of one battery for its share of the PV surplus (negative = deficit). Charge from grid charges at
    /// full power in every mode; backup never discharges while the grid is up; self-consumption and economy follow the
    /// load (the simulator models no time-of-use windows, so economy behaves as self-consumption).
    /// </summary>
    private static double RequestedChargeWatts(StorageSettings settings, double surplusShare)
    {
        if (settings.ChargeFromGrid) return BatteryMaxWatts;
        if (settings.Mode == StorageMode.Backup) return Math.Clamp(surplusShare, 0, BatteryMaxWatts);
        return Math.Clamp(surplusShare, -BatteryMaxWatts, BatteryMaxWatts);
    }
}

/// <summary>The fixed make-up of the simulated site.</summary>
internal sealed record GatewayModelOptions(string Serial, int Microinverters = 10, double MicroinverterDcWatts = 400, int Batteries = 1, double InitialSocPercent = 50);
