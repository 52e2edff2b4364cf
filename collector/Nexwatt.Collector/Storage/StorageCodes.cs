using Nexwatt.Collector.Domain;
using Nexwatt.Protos;

namespace Nexwatt.Collector.Storage;

/// <summary>
/// How domain values are written to either database. Times are microseconds since the Unix epoch (UTC) in a
/// 64-bit integer column in both stores; sequences are the ulong's bits in a signed 64-bit column (a bijection, so
/// uniqueness holds); measurements have fixed codes that never follow the enum's order.
/// </summary>
internal static class StorageCodes
{
    public const int SchemaVersion = 1;

    // Instants are stored as on the wire: microseconds since the Unix epoch.
    public static long ToMicroseconds(DateTimeOffset time) => WireTime.ToMicroseconds(time);

    public static DateTimeOffset FromMicroseconds(long microseconds) => WireTime.FromMicroseconds(microseconds);

    public static long ToMicroseconds(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMicrosecond;

    public static TimeSpan SpanFromMicroseconds(long microseconds) => TimeSpan.FromTicks(microseconds * TimeSpan.TicksPerMicrosecond);

    public static long ToColumn(ulong sequence) => unchecked((long)sequence);

    public static ulong SequenceFromColumn(long value) => unchecked((ulong)value);

    /// <summary>The stored code of a measurement: append new ones, never renumber (rows on disk keep their codes).</summary>
    public static short ToCode(Measurement measurement) => measurement switch
    {
        Measurement.ActivePowerW => 1,
        Measurement.ReactivePowerVar => 2,
        Measurement.ApparentPowerVa => 3,
        Measurement.EnergyExportedWh => 4,
        Measurement.StateOfChargePct => 5,
        Measurement.FrequencyHz => 6,
        Measurement.VoltageV => 7,
        Measurement.CurrentA => 8,
        Measurement.DcPowerW => 9,
        Measurement.EnergyImportedWh => 10,
        _ => throw new ArgumentOutOfRangeException(nameof(measurement), measurement, "This measurement has no storage code yet; add one in StorageCodes."),
    };

    public static Measurement MeasurementFromCode(long code) => code switch
    {
        1 => Measurement.ActivePowerW,
        2 => Measurement.ReactivePowerVar,
        3 => Measurement.ApparentPowerVa,
        4 => Measurement.EnergyExportedWh,
        5 => Measurement.StateOfChargePct,
        6 => Measurement.FrequencyHz,
        7 => Measurement.VoltageV,
        8 => Measurement.CurrentA,
        9 => Measurement.DcPowerW,
        10 => Measurement.EnergyImportedWh,
        _ => throw new InvalidDataException($"Stored measurement code {code} is unknown to this collector (written by a newer version?)."),
    };

    // Dispatch directions are stored in lower case, as the API spells them.
    public static string ToText(Dispatch.Allocation.DispatchDirection direction) => direction.ToString().ToLowerInvariant();

    public static Dispatch.Allocation.DispatchDirection DirectionFromText(string text) =>
        Enum.TryParse<Dispatch.Allocation.DispatchDirection>(text, ignoreCase: true, out var direction) && Enum.IsDefined(direction)
            ? direction : throw new InvalidDataException($"Stored dispatch direction '{text}' is unknown to this collector.");

    // Registry enums are stored by name: rare rows, readable in psql, safe against reordering.
    public static string ToText(AssetType type) => type.ToString();

    public static string ToText(AssetStatus status) => status.ToString();

    public static AssetType AssetTypeFromText(string text) => Enum.TryParse<AssetType>(text, out var type) && Enum.IsDefined(type)
        ? type : throw new InvalidDataException($"Stored asset type '{text}' is unknown to this collector.");

    public static AssetStatus AssetStatusFromText(string text) => Enum.TryParse<AssetStatus>(text, out var status) && Enum.IsDefined(status)
        ? status : throw new InvalidDataException($"Stored asset status '{text}' is unknown to this collector.");
}
