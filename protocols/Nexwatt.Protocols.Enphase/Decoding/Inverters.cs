using System.Text.Json;
using static Nexwatt.Protocols.Enphase.Decoding.EnphaseJson;

namespace Nexwatt.Protocols.Enphase.Decoding;

/// <summary>One microinverter's last report: its power and when it reported (the gateway's time, not ours).</summary>
public sealed record InverterReport(string Serial, DateTimeOffset? ReportTime, double? PowerW, double? MaxPowerW, double? AcVoltageV, double? AcFrequencyHz, double? DcVoltageV, double? DcCurrentA)
{
    public const string Endpoint = "/api/v1/production/inverters";
    public const string DeviceDataEndpoint = "/ivp/pdm/device_data";

    /// <summary>/api/v1/production/inverters: an array of {serialNumber, lastReportDate, lastReportWatts, maxReportWatts}.</summary>
    public static IReadOnlyList<InverterReport> Decode(ReadOnlySpan<byte> body)
    {
        var root = Expect(Endpoint, Parse(Endpoint, body), JsonValueKind.Array, "the body");
        var reports = new List<InverterReport>();
        foreach (var entry in root.EnumerateArray())
        {
            Expect(Endpoint, entry, JsonValueKind.Object, "an inverter");
            var serial = String(entry, "serialNumber") ?? throw new EnphaseFormatException(Endpoint, "an inverter has no 'serialNumber'");
            reports.Add(new InverterReport(serial, EpochSeconds(Endpoint, entry, "lastReportDate"), Number(Endpoint, entry, "lastReportWatts"),
                Number(Endpoint, entry, "maxReportWatts"), null, null, null, null));
        }
        return reports;
    }

    /// <summary>
    /// /ivp/pdm/device_data: an object keyed by device id; "pcu" entries are microinverters whose first channel's
    /// lastReading is in mV, mA and mHz (converted here), watts.now in W.
    /// </summary>
    public static IReadOnlyList<InverterReport> DecodeDeviceData(ReadOnlySpan<byte> body)
    {
        const string endpoint = DeviceDataEndpoint;
        var root = Expect(endpoint, Parse(endpoint, body), JsonValueKind.Object, "the body");
        var reports = new List<InverterReport>();
        foreach (var device in root.EnumerateObject())
        {
            if (device.Value.ValueKind != JsonValueKind.Object || String(device.Value, "devName") != "pcu") continue;
            var serial = String(device.Value, "sn") ?? throw new EnphaseFormatException(endpoint, $"pcu {device.Name} has no 'sn'");
            var channel = Property(device.Value, "channels") is { ValueKind: JsonValueKind.Array } channels && channels.GetArrayLength() > 0
                ? channels[0] : default;
            var last = Property(channel, "lastReading") ?? default;
            var watts = Property(channel, "watts") ?? default;
            reports.Add(new InverterReport(serial, EpochSeconds(endpoint, last, "endDate"), Number(endpoint, watts, "now"), Number(endpoint, watts, "max"),
                Milli(endpoint, last, "acVoltageINmV"), Milli(endpoint, last, "acFrequencyINmHz"),
                Milli(endpoint, last, "dcVoltageINmV"), Milli(endpoint, last, "dcCurrentINmA")));
        }
        return reports;
    }

    private static double? Milli(string endpoint, JsonElement e, string name) => Number(endpoint, e, name) / 1000.0;
}
