using System.Text.Json;
using static Nexwatt.Protocols.Enphase.Decoding.EnphaseJson;

namespace Nexwatt.Protocols.Enphase.Decoding;

/// <summary>The microinverter sum of /production.json (type "inverters").</summary>
public sealed record InverterTotal(int ActiveCount, DateTimeOffset? ReadingTime, double? PowerW, double? LifetimeWh);

/// <summary>
/// One metered (type "eim") entry of /production.json, in the gateway's signs; <see cref="Lines"/> holds the per-phase
/// entries of ?details=1. An entry with ActiveCount 0 stands for a CT that is not installed: its zeros mean nothing.
/// </summary>
public sealed record EimEntry(
    string MeasurementType, int ActiveCount, DateTimeOffset? ReadingTime, double? PowerW, double? LifetimeWh,
    double? VoltageV, double? CurrentA, double? ReactivePowerVar, double? ApparentPowerVa, double? PowerFactor,
    IReadOnlyList<EimEntry> Lines);

/// <summary>One AC Battery group of /production.json storage (type "acb"); power positive when discharging.</summary>
public sealed record AcBatteryEntry(int ActiveCount, DateTimeOffset? ReadingTime, double? PowerW, double? StoredWh, string? State, double? PercentFull);

/// <summary>/production.json (and the JSON /production of 7.x and later).</summary>
public sealed record ProductionJson(InverterTotal? Inverters, IReadOnlyList<EimEntry> Eims, IReadOnlyList<AcBatteryEntry> AcBatteries)
{
    public const string Endpoint = "/production.json";

    public static ProductionJson Decode(ReadOnlySpan<byte> body)
    {
        var root = Expect(Endpoint, Parse(Endpoint, body), JsonValueKind.Object, "the body");
        InverterTotal? inverters = null;
        var eims = new List<EimEntry>();
        var batteries = new List<AcBatteryEntry>();
        foreach (var (section, defaultType) in new[] { ("production", "production"), ("consumption", "consumption") })
        {
            if (Property(root, section) is not { ValueKind: JsonValueKind.Array } entries) continue;
            foreach (var entry in entries.EnumerateArray())
            {
                Expect(Endpoint, entry, JsonValueKind.Object, $"a '{section}' entry");
                switch (String(entry, "type"))
                {
                    case "inverters":
                        inverters = new InverterTotal(Count(entry), EpochSeconds(Endpoint, entry, "readingTime"),
                            Number(Endpoint, entry, "wNow"), Number(Endpoint, entry, "whLifetime"));
                        break;
                    case "eim":
                        // 4.x omits measurementType; the section says what an entry measures.
                        eims.Add(Eim(entry, String(entry, "measurementType") ?? defaultType));
                        break;
                }
            }
        }
        if (Property(root, "storage") is { ValueKind: JsonValueKind.Array } storage)
            foreach (var entry in storage.EnumerateArray())
                if (String(Expect(Endpoint, entry, JsonValueKind.Object, "a 'storage' entry"), "type") == "acb")
                    batteries.Add(new AcBatteryEntry(Count(entry), EpochSeconds(Endpoint, entry, "readingTime"), Number(Endpoint, entry, "wNow"),
                        Number(Endpoint, entry, "whNow"), String(entry, "state"), Number(Endpoint, entry, "percentFull")));
        return new ProductionJson(inverters, eims, batteries);
    }

    /// <summary>The metered entry of that type with a CT behind it (activeCount &gt; 0), if any.</summary>
    public EimEntry? Active(string measurementType) =>
        Eims.FirstOrDefault(e => e.ActiveCount > 0 && e.MeasurementType == measurementType);

    private static EimEntry Eim(JsonElement e, string type)
    {
        var lines = new List<EimEntry>();
        if (Property(e, "lines") is { ValueKind: JsonValueKind.Array } phases)
            foreach (var line in phases.EnumerateArray())
                lines.Add(Eim(Expect(Endpoint, line, JsonValueKind.Object, "a line"), type) with { ActiveCount = Count(e) });
        return new EimEntry(type, Count(e), EpochSeconds(Endpoint, e, "readingTime"), Number(Endpoint, e, "wNow"), Number(Endpoint, e, "whLifetime"),
            Number(Endpoint, e, "rmsVoltage"), Number(Endpoint, e, "rmsCurrent"), Number(Endpoint, e, "reactPwr"), Number(Endpoint, e, "apprntPwr"),
            Number(Endpoint, e, "pwrFactor"), lines);
    }

    private static int Count(JsonElement e) => Number(Endpoint, e, "activeCount") is { } n ? (int)n : 0;
}

/// <summary>/api/v1/production: the microinverter totals every firmware from 3.9 serves.</summary>
public sealed record ApiV1Production(double? PowerW, double? TodayWh, double? SevenDaysWh, double? LifetimeWh)
{
    public const string Endpoint = "/api/v1/production";

    public static ApiV1Production Decode(ReadOnlySpan<byte> body)
    {
        var root = Expect(Endpoint, Parse(Endpoint, body), JsonValueKind.Object, "the body");
        if (Property(root, "wattsNow") is null && Property(root, "wattHoursLifetime") is null)
            throw new EnphaseFormatException(Endpoint, "neither 'wattsNow' nor 'wattHoursLifetime' present");
        return new ApiV1Production(Number(Endpoint, root, "wattsNow"), Number(Endpoint, root, "wattHoursToday"),
            Number(Endpoint, root, "wattHoursSevenDays"), Number(Endpoint, root, "wattHoursLifetime"));
    }
}
