using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Registry;

/// <summary>What a rule checks on an asset's registration.</summary>
public enum RuleKind
{
    /// <summary>The asset's telemetry interval must not exceed <see cref="IsoTelemetryRule.Limit"/> seconds (a scan-rate rule).</summary>
    MaximumTelemetryInterval,
    /// <summary>The asset's capacity must be at least <see cref="IsoTelemetryRule.Limit"/> kW.</summary>
    MinimumCapacityKw,
    /// <summary>The asset's capacity must not exceed <see cref="IsoTelemetryRule.Limit"/> kW.</summary>
    MaximumCapacityKw,
    /// <summary>The asset needs a meter id (settlement meter data).</summary>
    RequiresMeterId,
    /// <summary>The asset needs its storage energy (kWh) registered.</summary>
    RequiresStorageKwh,
    /// <summary>The asset must be linked to the site and device that report its telemetry.</summary>
    RequiresDeviceLink,
    /// <summary>The zone must name a sub-zone (e.g. a sub-LAP).</summary>
    RequiresSubZone,
    /// <summary>A requirement the registry cannot check; reported when the capacity reaches <see cref="IsoTelemetryRule.Limit"/> kW (or always without a limit).</summary>
    Advisory,
    /// <summary>A fact about aggregations, not single assets: kept with its source, never reported per asset.</summary>
    Informational,
}

/// <summary>How a broken rule counts.</summary>
public enum RuleSeverity
{
    /// <summary>The asset is not compliant (<c>iso_compliant</c> false).</summary>
    Failure,
    /// <summary>Reported for attention; compliance is unaffected. Every rule whose number is not verified is a warning.</summary>
    Warning,
}

/// <summary>One telemetry or metering requirement of an ISO, with where it comes from.</summary>
/// <param name="Id">Stable id, used in problems and the enrollment export (e.g. <c>CAISO-SOC-4S</c>).</param>
/// <param name="Iso">The ISO it applies to; null for the FERC Order 2222 baseline, which applies to every zone.</param>
/// <param name="Kind">What it checks.</param>
/// <param name="Limit">Seconds or kW, as <see cref="Kind"/> says; null when the kind takes none.</param>
/// <param name="AppliesTo">Asset types it applies to; empty for all.</param>
/// <param name="Severity">Failure or warning.</param>
/// <param name="Verified">False when the reference marks the number NV (not verified in any stored source).</param>
/// <param name="Requirement">The requirement in one sentence, as reported.</param>
/// <param name="SourceTag">The tag in /work/shared/reference/iso-telemetry.md, e.g. <c>[C1]</c>.</param>
/// <param name="SourceUrl">Where the tag points.</param>
public sealed record IsoTelemetryRule(
    string Id,
    Iso? Iso,
    RuleKind Kind,
    double? Limit,
    IReadOnlyList<AssetType> AppliesTo,
    RuleSeverity Severity,
    bool Verified,
    string Requirement,
    string SourceTag,
    string SourceUrl)
{
    /// <summary>Whether the rule concerns an asset of this type in this ISO.</summary>
    public bool AppliesToAsset(Iso iso, AssetType type) =>
        (Iso is null || Iso == iso) && (AppliesTo.Count == 0 || AppliesTo.Contains(type));
}
