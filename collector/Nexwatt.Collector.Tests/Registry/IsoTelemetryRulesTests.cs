using Nexwatt.Collector.Registry;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Registry;

public class IsoTelemetryRulesTests
{
    [Fact]
    public void Ids_are_unique_and_every_iso_has_rules()
    {
        Assert.Equal(IsoTelemetryRules.Rules.Count, IsoTelemetryRules.Rules.Select(r => r.Id).Distinct().Count());
        Assert.All(Enum.GetValues<Iso>(), iso => Assert.Contains(IsoTelemetryRules.Rules, r => r.Iso == iso));
        Assert.Contains(IsoTelemetryRules.Rules, r => r.Iso is null);
    }

    [Fact]
    public void A_rule_whose_number_is_not_verified_is_never_a_failure()
    {
        Assert.All(IsoTelemetryRules.Rules.Where(r => !r.Verified), r => Assert.Equal(RuleSeverity.Warning, r.Severity));
    }

    [Fact]
    public void Every_rule_cites_a_source_of_the_reference_with_its_url()
    {
        var reference = File.ReadAllText(Path.Combine(RepoPaths.SharedReference, "iso-telemetry.md"));
        Assert.All(IsoTelemetryRules.Rules, rule =>
        {
            Assert.Matches(@"^(\[[A-Z][0-9]\]|NV)$", rule.SourceTag);
            Assert.StartsWith("http", rule.SourceUrl, StringComparison.Ordinal);
            Assert.Contains(rule.SourceUrl, reference, StringComparison.Ordinal);
            if (rule.SourceTag != "NV") Assert.Contains($"- {rule.SourceTag} ", reference, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(rule.Requirement));
            if (rule.Kind is RuleKind.MaximumTelemetryInterval or RuleKind.MinimumCapacityKw or RuleKind.MaximumCapacityKw)
                Assert.True(rule.Limit > 0, rule.Id);
        });
    }

    [Fact]
    public void The_numbers_of_the_reference_are_carried_over()
    {
        IsoTelemetryRule Rule(string id) => Assert.Single(IsoTelemetryRules.Rules, r => r.Id == id);
        Assert.Equal((4.0, RuleSeverity.Failure, "[C1]"), (Rule("CAISO-SOC-4S").Limit!.Value, Rule("CAISO-SOC-4S").Severity, Rule("CAISO-SOC-4S").SourceTag));
        Assert.Equal((10.0, RuleSeverity.Failure, "[N1]"), (Rule("NYISO-MIN-DER-10KW").Limit!.Value, Rule("NYISO-MIN-DER-10KW").Severity, Rule("NYISO-MIN-DER-10KW").SourceTag));
        Assert.Equal((1000.0, RuleSeverity.Failure, "[T1]"), (Rule("ERCOT-MAX-1MW-PREMISE").Limit!.Value, Rule("ERCOT-MAX-1MW-PREMISE").Severity, Rule("ERCOT-MAX-1MW-PREMISE").SourceTag));
        Assert.Equal((167_000.0, "[P3]"), (Rule("PJM-MAX-AGGREGATION").Limit!.Value, Rule("PJM-MAX-AGGREGATION").SourceTag));
        Assert.Equal((5_000.0, "[M1]"), (Rule("MISO-ICCP-5MW").Limit!.Value, Rule("MISO-ICCP-5MW").SourceTag));
        Assert.False(Rule("NYISO-SCAN-6S").Verified);
        Assert.False(Rule("CAISO-SCAN-4S").Verified);
    }
}
