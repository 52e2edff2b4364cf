using System.Text.Json;
using static Nexwatt.Protocols.Enphase.Decoding.EnphaseJson;

namespace Nexwatt.Protocols.Enphase.Decoding;

/// <summary>One IQ Battery (ENCHARGE) of /ivp/ensemble/inventory.</summary>
public sealed record EnchargeBattery(string Serial, DateTimeOffset? LastReport, double? PercentFull, double? CapacityWh, double? TemperatureC, bool? Communicating)
{
    public const string Endpoint = "/ivp/ensemble/inventory";

    /// <summary>The ENCHARGE devices; other groups (ENPOWER, COLLAR, C6 …) carry no battery measurement.</summary>
    public static IReadOnlyList<EnchargeBattery> Decode(ReadOnlySpan<byte> body)
    {
        var root = Expect(Endpoint, Parse(Endpoint, body), JsonValueKind.Array, "the body");
        var batteries = new List<EnchargeBattery>();
        foreach (var group in root.EnumerateArray())
        {
            Expect(Endpoint, group, JsonValueKind.Object, "a device group");
            if (String(group, "type") != "ENCHARGE" || Property(group, "devices") is not { ValueKind: JsonValueKind.Array } devices) continue;
            foreach (var d in devices.EnumerateArray())
            {
                Expect(Endpoint, d, JsonValueKind.Object, "a battery");
                var serial = String(d, "serial_num") ?? throw new EnphaseFormatException(Endpoint, "a battery has no 'serial_num'");
                batteries.Add(new EnchargeBattery(serial, EpochSeconds(Endpoint, d, "last_rpt_date"), Number(Endpoint, d, "percentFull"),
                    Number(Endpoint, d, "encharge_capacity"), Number(Endpoint, d, "temperature"), Boolean(d, "communicating")));
            }
        }
        return batteries;
    }
}

/// <summary>
/// One battery of /ivp/ensemble/power (key "devices:" with the colon), converted from mW / mVA. Sign: positive while
/// discharging: the captures with a storage CT (8.2.127, 8.3.1598) show both negative together.
/// </summary>
public sealed record EnsemblePower(string Serial, double? PowerW, double? ApparentPowerVa, double? SocPct)
{
    public const string Endpoint = "/ivp/ensemble/power";

    public static IReadOnlyList<EnsemblePower> Decode(ReadOnlySpan<byte> body)
    {
        var root = Expect(Endpoint, Parse(Endpoint, body), JsonValueKind.Object, "the body");
        var devices = Property(root, "devices:") ?? Property(root, "devices")
            ?? throw new EnphaseFormatException(Endpoint, "no 'devices:' array");
        Expect(Endpoint, devices, JsonValueKind.Array, "'devices:'");
        var list = new List<EnsemblePower>();
        foreach (var d in devices.EnumerateArray())
        {
            Expect(Endpoint, d, JsonValueKind.Object, "a battery");
            var serial = String(d, "serial_num") ?? throw new EnphaseFormatException(Endpoint, "a battery has no 'serial_num'");
            list.Add(new EnsemblePower(serial, Number(Endpoint, d, "real_power_mw") / 1000.0, Number(Endpoint, d, "apparent_power_mva") / 1000.0,
                Number(Endpoint, d, "soc")));
        }
        return list;
    }
}

/// <summary>Battery aggregates of /ivp/ensemble/secctrl (IQ Batteries "ENC_", AC Batteries "ACB_").</summary>
public sealed record SecurityControl(double? AggregateSocPct, double? EnchargeSocPct, double? EnchargeAvailableWh, double? MaxEnergyWh,
    double? AcbSocPct, double? AcbEnergyWh, double? ConfiguredBackupSocPct)
{
    public const string Endpoint = "/ivp/ensemble/secctrl";

    public static SecurityControl Decode(ReadOnlySpan<byte> body)
    {
        var root = Expect(Endpoint, Parse(Endpoint, body), JsonValueKind.Object, "the body");
        return new SecurityControl(Number(Endpoint, root, "agg_soc"), Number(Endpoint, root, "ENC_agg_soc"), Number(Endpoint, root, "ENC_agg_avail_energy"),
            Number(Endpoint, root, "Max_energy"), Number(Endpoint, root, "ACB_agg_soc"), Number(Endpoint, root, "ACB_agg_energy"),
            Number(Endpoint, root, "configured_backup_soc"));
    }
}
