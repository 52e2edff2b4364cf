using System.Text.Json;

namespace Nexwatt.Collector.Registry;

/// <summary>
/// The body of <c>POST /v1/assets/register</c> (snake_case JSON, see <see cref="RegistryJson"/>). Every field is
/// optional at the JSON level so that the validator can report all missing ones at once.
/// </summary>
/// <param name="AssetId">The aggregator's id of the asset: letters, digits, '-', '_', '.', up to 64.</param>
/// <param name="Type"><c>solar</c>, <c>battery</c> or <c>solar_plus_storage</c>.</param>
/// <param name="Inverter">Make and model of the inverter, free text.</param>
/// <param name="CapacityKw">AC nameplate, kW, above 0.</param>
/// <param name="StorageKwh">Usable storage, kWh: required for batteries, absent or 0 for solar.</param>
/// <param name="MeterId">The revenue or interval meter that settles the asset.</param>
/// <param name="IsoZone">ISO and optional sub-zone, e.g. <c>PJM-DOM</c>.</param>
/// <param name="TelemetryInterval">Seconds as a number, or a string: <c>"5s"</c>, <c>"1m"</c>, <c>"00:00:05"</c>.</param>
/// <param name="Program">The subscriber program (cohort); absent keeps the asset's program, <c>default</c> for a new asset.</param>
public sealed record AssetRegistrationRequest(
    string? AssetId = null,
    string? Type = null,
    string? Inverter = null,
    double? CapacityKw = null,
    double? StorageKwh = null,
    string? MeterId = null,
    string? IsoZone = null,
    JsonElement? TelemetryInterval = null,
    string? Program = null);

/// <summary>The body of <c>PATCH /v1/assets/{id}</c>: only the fields given change; an empty string clears an optional text field.</summary>
public sealed record AssetUpdateRequest(
    string? Type = null,
    string? Inverter = null,
    double? CapacityKw = null,
    double? StorageKwh = null,
    string? MeterId = null,
    string? IsoZone = null,
    JsonElement? TelemetryInterval = null,
    string? Program = null);

/// <summary>The body of <c>POST /v1/assets/{id}/link</c>: the site and device whose telemetry describes the asset.</summary>
public sealed record AssetLinkRequest(string? SiteId = null, string? DeviceId = null);

/// <summary>The answer of <c>POST /v1/assets/register</c>.</summary>
/// <param name="Status"><c>registered</c>, or <c>rejected</c> for invalid input only (compliance gaps are reported, not rejected).</param>
/// <param name="AssetId">The asset id as given.</param>
/// <param name="TelemetryValidated">The telemetry interval meets the zone's scan-rate rules.</param>
/// <param name="IsoCompliant">No failing rule of the zone is broken.</param>
/// <param name="Problems">Input errors, failing rules (errors) and warnings.</param>
public sealed record AssetRegistrationResponse(string Status, string? AssetId, bool TelemetryValidated, bool IsoCompliant, IReadOnlyList<RegistrationProblem> Problems)
{
    /// <summary>The status of an accepted registration.</summary>
    public const string Registered = "registered";

    /// <summary>The status of invalid input.</summary>
    public const string Rejected = "rejected";
}

/// <summary>An asset as the API shows it, with its compliance computed at read time.</summary>
public sealed record AssetView(
    string AssetId,
    string Type,
    string? Inverter,
    double CapacityKw,
    double? StorageKwh,
    string? MeterId,
    string IsoZone,
    double TelemetryIntervalS,
    string? SiteId,
    string? DeviceId,
    string Status,
    DateTimeOffset RegisteredAt,
    DateTimeOffset UpdatedAt,
    bool TelemetryValidated,
    bool IsoCompliant,
    IReadOnlyList<RegistrationProblem> Problems)
{
    /// <summary>The subscriber program (cohort).</summary>
    public string Program { get; init; } = Domain.AssetRecord.DefaultProgram;
}

/// <summary>An error answer: <c>rejected</c>, <c>not_found</c> or <c>conflict</c>, with the problems.</summary>
public sealed record RegistryError(string Status, IReadOnlyList<RegistrationProblem> Problems);
