using System.Globalization;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Registry;

/// <summary>Checks an asset against <see cref="IsoTelemetryRules"/>; pure, so it runs at every read as well as at registration.</summary>
public static class IsoComplianceChecker
{
    /// <summary>Every rule of the asset's zone that the asset breaks.</summary>
    public static ComplianceReport Check(AssetRecord asset)
    {
        ArgumentNullException.ThrowIfNull(asset);
        if (!IsoZone.TryParse(asset.IsoZone, out var zone))
        {
            return new ComplianceReport(false, false, [UnknownZone(asset.IsoZone)]);
        }

        var problems = new List<RegistrationProblem>();
        var telemetryValidated = true;
        var compliant = true;
        foreach (var rule in IsoTelemetryRules.For(zone.Iso, asset.Type))
        {
            if (Broken(rule, asset, zone) is not { } detail) continue;
            var failure = rule.Severity == RuleSeverity.Failure;
            compliant &= !failure;
            if (rule.Kind == RuleKind.MaximumTelemetryInterval) telemetryValidated &= !failure;
            problems.Add(new RegistrationProblem(
                failure ? RegistrationProblem.Error : RegistrationProblem.Warning,
                rule.Id,
                FieldOf(rule.Kind),
                detail.Length == 0 ? rule.Requirement : $"{rule.Requirement} {detail}",
                rule.SourceTag,
                rule.SourceUrl));
        }
        return new ComplianceReport(telemetryValidated, compliant, problems);
    }

    /// <summary>The problem reported for a zone no rule set knows.</summary>
    public static RegistrationProblem UnknownZone(string? zone) => RegistrationProblem.Invalid("iso_zone",
        $"iso_zone '{zone}' is not a known ISO; known: {string.Join(", ", IsoZone.KnownIsos)} (a sub-zone may follow, e.g. PJM-DOM, CAISO-SP15).");

    // Null when the rule holds; otherwise what the asset has (empty when the requirement says it all).
    private static string? Broken(IsoTelemetryRule rule, AssetRecord asset, IsoZone zone)
    {
        var limit = rule.Limit ?? 0;
        return rule.Kind switch
        {
            RuleKind.MaximumTelemetryInterval when asset.TelemetryInterval.TotalSeconds > limit =>
                $"This asset's telemetry_interval is {Seconds(asset.TelemetryInterval.TotalSeconds)} s (at most {Seconds(limit)} s).",
            RuleKind.MinimumCapacityKw when asset.CapacityKw < limit => $"This asset's capacity_kw is {Number(asset.CapacityKw)}.",
            RuleKind.MaximumCapacityKw when asset.CapacityKw > limit => $"This asset's capacity_kw is {Number(asset.CapacityKw)}.",
            RuleKind.RequiresMeterId when string.IsNullOrEmpty(asset.MeterId) => "No meter_id is registered.",
            RuleKind.RequiresStorageKwh when asset.StorageKwh is not > 0 => "No storage_kwh is registered.",
            RuleKind.RequiresDeviceLink when asset.SiteId is null || asset.DeviceId is null => "The asset is not linked yet.",
            RuleKind.RequiresSubZone when zone.SubZone is null => $"The zone is '{zone}'.",
            RuleKind.Advisory when rule.Limit is null || asset.CapacityKw >= limit => "",
            _ => null,
        };
    }

    private static string? FieldOf(RuleKind kind) => kind switch
    {
        RuleKind.MaximumTelemetryInterval => "telemetry_interval",
        RuleKind.MinimumCapacityKw or RuleKind.MaximumCapacityKw => "capacity_kw",
        RuleKind.RequiresMeterId => "meter_id",
        RuleKind.RequiresStorageKwh => "storage_kwh",
        RuleKind.RequiresDeviceLink => "device_id",
        RuleKind.RequiresSubZone => "iso_zone",
        _ => null,
    };

    private static string Seconds(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
