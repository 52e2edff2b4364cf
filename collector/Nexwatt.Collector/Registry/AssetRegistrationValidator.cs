using System.Globalization;
using System.Text.RegularExpressions;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Registry;

/// <summary>A registration that passed validation, with its values parsed.</summary>
internal sealed record ValidatedAsset(
    string AssetId,
    AssetType Type,
    string? Inverter,
    double CapacityKw,
    double? StorageKwh,
    string? MeterId,
    string IsoZone,
    TimeSpan TelemetryInterval);

/// <summary>
/// Checks a registration's input (not its compliance): required fields, capacity above 0, storage for batteries,
/// an interval of 1 s to 1 h, ids of a safe charset. Reports every problem at once.
/// </summary>
internal static partial class AssetRegistrationValidator
{
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaximumInterval = TimeSpan.FromHours(1);
    private const int MaximumInverterLength = 128;

    // Bounds far above any one DER asset (1 GW, 10 GWh), so that sums over a fleet (fleet totals, a dispatch's
    // registered capacity) stay finite: an infinite total cannot be written as JSON and would be a 500.
    public const double MaximumCapacityKw = 1_000_000;
    public const double MaximumStorageKwh = 10_000_000;

    // The site-id charset of the edge (it becomes part of MQTT topics), starting with a letter or digit so an id
    // can never read as a spreadsheet formula in the enrollment CSV.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    /// <summary>True when <paramref name="id"/> is 1..64 letters, digits, '.', '_' or '-', starting with a letter or digit.</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    public static ValidatedAsset? Validate(AssetRegistrationRequest request, List<RegistrationProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(request);
        var before = problems.Count;

        Id(request.AssetId, "asset_id", required: true, problems);
        Id(request.MeterId, "meter_id", required: false, problems);
        Id(request.Program, "program", required: false, problems);

        AssetType? type = null;
        if (string.IsNullOrWhiteSpace(request.Type)) problems.Add(RegistrationProblem.Invalid("type", "type is required: solar, battery or solar_plus_storage."));
        else if (!AssetTypeNames.TryParse(request.Type, out type))
            problems.Add(RegistrationProblem.Invalid("type", $"type '{request.Type}' is not one of solar, battery, solar_plus_storage."));

        if (request.Inverter is { Length: > MaximumInverterLength })
            problems.Add(RegistrationProblem.Invalid("inverter", $"inverter is longer than {MaximumInverterLength} characters."));

        if (request.CapacityKw is not { } capacity) problems.Add(RegistrationProblem.Invalid("capacity_kw", "capacity_kw is required (AC nameplate in kW)."));
        else if (!double.IsFinite(capacity) || capacity <= 0 || capacity > MaximumCapacityKw)
            problems.Add(RegistrationProblem.Invalid("capacity_kw", $"capacity_kw must be above 0 and at most {Show(MaximumCapacityKw)}; it is {Show(capacity)}."));

        Storage(type, request.StorageKwh, problems);

        IsoZone? zone = null;
        if (string.IsNullOrWhiteSpace(request.IsoZone)) problems.Add(RegistrationProblem.Invalid("iso_zone", "iso_zone is required, e.g. PJM or CAISO-SP15."));
        else if (!IsoZone.TryParse(request.IsoZone, out zone)) problems.Add(IsoComplianceChecker.UnknownZone(request.IsoZone));

        var interval = Interval(request, problems);

        if (problems.Count > before) return null;
        return new ValidatedAsset(request.AssetId!, type!.Value, Optional(request.Inverter), request.CapacityKw!.Value,
            request.StorageKwh is > 0 ? request.StorageKwh : null, Optional(request.MeterId), zone!.ToString(), interval!.Value);
    }

    private static void Id(string? value, string field, bool required, List<RegistrationProblem> problems)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required) problems.Add(RegistrationProblem.Invalid(field, $"{field} is required."));
            return;
        }
        if (!IsValidId(value))
            problems.Add(RegistrationProblem.Invalid(field, $"{field} may hold only letters, digits, '.', '_' and '-' (1 to 64, starting with a letter or digit)."));
    }

    private static void Storage(AssetType? type, double? storageKwh, List<RegistrationProblem> problems)
    {
        if (storageKwh is { } kwh && (!double.IsFinite(kwh) || kwh < 0 || kwh > MaximumStorageKwh))
        {
            problems.Add(RegistrationProblem.Invalid("storage_kwh", $"storage_kwh must be 0 or more and at most {Show(MaximumStorageKwh)}; it is {Show(kwh)}."));
            return;
        }
        if (type is AssetType.Battery or AssetType.SolarPlusStorage && storageKwh is not > 0)
            problems.Add(RegistrationProblem.Invalid("storage_kwh", $"storage_kwh (usable energy, kWh) is required above 0 for a {AssetTypeNames.Name(type.Value)} asset."));
        if (type is AssetType.Solar && storageKwh is > 0)
            problems.Add(RegistrationProblem.Invalid("storage_kwh", "A solar asset has no storage: register it as solar_plus_storage, or leave storage_kwh out."));
    }

    private static TimeSpan? Interval(AssetRegistrationRequest request, List<RegistrationProblem> problems)
    {
        if (request.TelemetryInterval is not { } element || element.ValueKind == System.Text.Json.JsonValueKind.Null)
        {
            problems.Add(RegistrationProblem.Invalid("telemetry_interval", "telemetry_interval is required: seconds, or a string such as \"5s\", \"1m\" or \"00:00:05\"."));
            return null;
        }
        if (!TelemetryIntervalParser.TryParse(element, out var interval))
        {
            problems.Add(RegistrationProblem.Invalid("telemetry_interval",
                $"telemetry_interval {element.GetRawText()} is not a duration: give seconds, or a string such as \"5s\", \"1m\" or \"00:00:05\"."));
            return null;
        }
        if (interval < MinimumInterval || interval > MaximumInterval)
        {
            problems.Add(RegistrationProblem.Invalid("telemetry_interval",
                $"telemetry_interval must be between 1 s and 1 h; it is {interval.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s."));
            return null;
        }
        return interval;
    }

    private static string? Optional(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);
}
