namespace Nexwatt.Collector.Domain;

public enum AssetType
{
    Solar,
    Battery,
    SolarPlusStorage,
}

public enum AssetStatus
{
    Active,
    Retired,
}

/// <summary>
/// An asset in the registry: what ISO enrollment is filed from. <see cref="SiteId"/> and <see cref="DeviceId"/>
/// link it to the site and device whose telemetry describes it.
/// </summary>
public sealed record AssetRecord(
    string AssetId,
    AssetType Type,
    string? Inverter,
    double CapacityKw,
    double? StorageKwh,
    string? MeterId,
    string IsoZone,
    TimeSpan TelemetryInterval,
    string? SiteId,
    string? DeviceId,
    AssetStatus Status,
    DateTimeOffset RegisteredAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The program name of an asset registered without one.</summary>
    public const string DefaultProgram = "default";

    /// <summary>The subscriber program (cohort) the asset is enrolled in: it sets the reserve kept in dispatch and settles capacity payments.</summary>
    public string Program { get; init; } = DefaultProgram;
}

/// <summary>A site allowed to send telemetry, and how it proves who it is.</summary>
public sealed record SiteRecord(
    string SiteId,
    string? TokenSha256,
    string? CertificateSubject,
    DateTimeOffset CreatedAt);

/// <summary>The newest value of one measurement of one asset.</summary>
public sealed record LatestValue(string AssetId, Measurement Measurement, double Value, DateTimeOffset SourceTime, QualityFlags Flags);

/// <summary>Fleet totals of one ISO zone: power now, energy stored, average state of charge.</summary>
public sealed record ZoneTotals(string IsoZone, int Assets, double MegawattsNow, double MegawattHoursStored, double? AverageStateOfChargePct, DateTimeOffset AsOf)
{
    /// <summary>Active assets left out of <see cref="MegawattsNow"/>: no power sample newer than 3 telemetry intervals.</summary>
    public int StaleAssets { get; init; }
}
