using System.Text.Json;
using static Nexwatt.Protocols.Enphase.Decoding.EnphaseJson;

namespace Nexwatt.Protocols.Enphase.Decoding;

/// <summary>One CT input of /ivp/meters: what it measures and whether it is in use.</summary>
public sealed record MeterConfig(long Eid, bool Enabled, string MeasurementType, string? PhaseMode, int? PhaseCount)
{
    public const string Endpoint = "/ivp/meters";

    public static IReadOnlyList<MeterConfig> Decode(ReadOnlySpan<byte> body)
    {
        var root = Expect(Endpoint, Parse(Endpoint, body), JsonValueKind.Array, "the body");
        var meters = new List<MeterConfig>();
        foreach (var entry in root.EnumerateArray())
        {
            Expect(Endpoint, entry, JsonValueKind.Object, "a meter");
            var eid = Number(Endpoint, entry, "eid") ?? throw new EnphaseFormatException(Endpoint, "a meter has no 'eid'");
            var type = String(entry, "measurementType") ?? throw new EnphaseFormatException(Endpoint, $"meter {eid} has no 'measurementType'");
            meters.Add(new MeterConfig((long)eid, String(entry, "state") == "enabled", type, String(entry, "phaseMode"),
                Number(Endpoint, entry, "phaseCount") is { } n ? (int)n : null));
        }
        return meters;
    }
}

/// <summary>
/// One meter (or one phase of it) of /ivp/meters/readings, in the gateway's own signs: production positive when
/// producing, net-consumption positive when importing, storage positive when discharging. Absent keys are null.
/// </summary>
public sealed record MeterValues(
    DateTimeOffset? Timestamp, double? ActivePowerW, double? ReactivePowerVar, double? ApparentPowerVa, double? PowerFactor,
    double? VoltageV, double? CurrentA, double? FrequencyHz, double? EnergyDeliveredWh, double? EnergyReceivedWh);

/// <summary>A meter's readings: the total and one entry per phase channel.</summary>
public sealed record MeterReading(long Eid, MeterValues Total, IReadOnlyList<MeterValues> Phases)
{
    public const string Endpoint = "/ivp/meters/readings";

    public static IReadOnlyList<MeterReading> Decode(ReadOnlySpan<byte> body)
    {
        var root = Expect(Endpoint, Parse(Endpoint, body), JsonValueKind.Array, "the body");
        var readings = new List<MeterReading>();
        foreach (var entry in root.EnumerateArray())
        {
            Expect(Endpoint, entry, JsonValueKind.Object, "a reading");
            var eid = Number(Endpoint, entry, "eid") ?? throw new EnphaseFormatException(Endpoint, "a reading has no 'eid'");
            var phases = new List<MeterValues>();
            if (Property(entry, "channels") is { ValueKind: JsonValueKind.Array } channels)
                foreach (var channel in channels.EnumerateArray())
                    phases.Add(Values(Expect(Endpoint, channel, JsonValueKind.Object, "a channel")));
            readings.Add(new MeterReading((long)eid, Values(entry), phases));
        }
        return readings;
    }

    private static MeterValues Values(JsonElement e) => new(
        EpochSeconds(Endpoint, e, "timestamp"), Number(Endpoint, e, "activePower"), Number(Endpoint, e, "reactivePower"),
        Number(Endpoint, e, "apparentPower"), Number(Endpoint, e, "pwrFactor"), Number(Endpoint, e, "voltage"),
        Number(Endpoint, e, "current"), Number(Endpoint, e, "freq"), Number(Endpoint, e, "actEnergyDlvd"), Number(Endpoint, e, "actEnergyRcvd"));
}
