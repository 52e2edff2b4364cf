using System.Globalization;
using System.Text;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Registry;

/// <summary>
/// The enrollment export of one ISO zone: one row per active asset with the data elements an aggregator's
/// registration asks for, and its compliance. RFC 4180: CRLF line ends, a header row, fields holding a comma, a
/// double quote, CR or LF are quoted with inner quotes doubled.
/// </summary>
internal static class EnrollmentCsv
{
    public static readonly string[] Columns =
    [
        "asset_id", "type", "capacity_kw", "storage_kwh", "meter_id", "iso_zone", "telemetry_interval_s",
        "site_id", "device_id", "telemetry_validated", "iso_compliant", "problems",
    ];

    public static string Write(IEnumerable<AssetRecord> assets)
    {
        var csv = new StringBuilder();
        Row(csv, Columns);
        foreach (var asset in assets)
        {
            var report = IsoComplianceChecker.Check(asset);
            Row(csv,
            [
                asset.AssetId,
                AssetTypeNames.Name(asset.Type),
                Number(asset.CapacityKw),
                asset.StorageKwh is { } kwh ? Number(kwh) : "",
                asset.MeterId ?? "",
                asset.IsoZone,
                Number(asset.TelemetryInterval.TotalSeconds),
                asset.SiteId ?? "",
                asset.DeviceId ?? "",
                Bool(report.TelemetryValidated),
                Bool(report.IsoCompliant),
                string.Join("; ", report.Problems.Select(p => $"{p.Severity} {p.Code} {p.Source}: {p.Message}")),
            ]);
        }
        return csv.ToString();
    }

    /// <summary>Quotes a field when RFC 4180 requires it.</summary>
    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static void Row(StringBuilder csv, IReadOnlyList<string> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0) csv.Append(',');
            csv.Append(Field(fields[i]));
        }
        csv.Append("\r\n");
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Bool(bool value) => value ? "true" : "false";
}
