using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Registry;

/// <summary>
/// The one table of ISO telemetry and metering rules checked at registration. Facts and tags come from
/// /work/shared/reference/iso-telemetry.md (its "Sources" list holds the full citations). Numbers that reference
/// marks NV (not verified in any stored source) are warnings, never failures; so are verified facts the registry
/// cannot check from registration data, and proposals not yet in force. Confirm each number against the current
/// ISO manual before relying on it for enrollment.
/// </summary>
public static class IsoTelemetryRules
{
    private static readonly AssetType[] All = [];
    private static readonly AssetType[] WithStorage = [AssetType.Battery, AssetType.SolarPlusStorage];
    private static readonly AssetType[] SolarOnly = [AssetType.Solar];

    private const string F1 = "https://natlawreview.com/article/der-aggregations-rtoiso-markets-update-ferc-order-no-2222-compliance-and";
    private const string F2 = "https://raokonidena.substack.com/p/ferc-order-2222-summary-read-this";
    private const string F3 = "https://www.ferc.gov/news-events/news/commissioner-clements-concurrence-regarding-iso-new-england-and-new-england-power";
    private const string C1 = "https://bpmcm.caiso.com/Pages/ViewPRR.aspx?IsDlg=0&PRRID=1679";
    private const string C3 = "https://s3.amazonaws.com/cdn.orrick.com/files/EIAlert-CAISO-Tariff-Changes-Facilitate-Participation-of-Small-Renewable-and-Storage-Technologies-in-California-Energy-Markets.html";
    private const string C4 = "https://www.oati.com/Blog/grid-modernization/ferc-2222-filings";
    private const string C5 = "https://utilitydive.com/news/caiso-approves-plan-to-aggregate-and-market-distributed-energy-resources/402500";
    private const string C7 = "https://www.caiso.com/generation-transmission/generation/distributed-energy-resources";
    private const string P1 = "https://www.pjm.com/markets-and-operations/etools/jetstream.aspx";
    private const string P2 = "https://insidelines.pjm.com/order-2222-filing-furthers-der-market-participation/";
    private const string P3 = "https://www.renewableenergyworld.com/energy-business/policy-and-regulation/pjm-proposes-a-2-year-delay-for-implementing-the-der-aggregation-model/";
    private const string P4 = "https://jdsupra.com/legalnews/ferc-denies-cpower-s-complaint-2433942";
    private const string P5 = "https://www.scribd.com/document/544515241/manual01-control-center-requirements";
    private const string N1 = "https://rtowww.com/50561-ferc-seeks-more-info-on-nyiso-der-aggregation-proposal";
    private const string N2 = "https://nyisoviewer.etariff.biz/ViewerDocLibrary/FercOrders/April%2015%20DER%20Order%20ER23-2040_35058.htm";
    private const string N3 = "https://www.nyseg.com/smart-energy/innovation/distributed-energy-resources-aggregation";
    private const string E2 = "https://www.iso-ne.com/participate/support/participant-readiness-outlook/prd-project";
    private const string E3 = "https://vdocument.in/by-electronic-filing-rqm-settlement-enhancement-to-be-effective-on-august-1-2017.html";
    private const string T1 = "http://www.energychoicematters.com/stories/20221006a.html";
    private const string T2 = "https://declearinghouse.com/texas-puc-project-no-53911/";
    private const string M1 = "https://misocrm.powerappsportals.us/knowledgebase/article/KA-01548/en-us";
    private const string M2 = "https://cupdf.com/document/ferc-order-2222-filing-framework.html";
    private const string M3 = "https://rtowww.com/102370-miso-discards-interim-participation-option-order-2222-plan";
    private const string Q1 = "http://xoops-solution.com/index-1391.html";

    /// <summary>Every rule; those with a null <see cref="IsoTelemetryRule.Iso"/> (FERC 2222 baseline) apply to every zone.</summary>
    public static IReadOnlyList<IsoTelemetryRule> Rules { get; } =
    [
        // FERC Order 2222 baseline.
        new("FERC2222-AUDIT-DATA", null, RuleKind.RequiresDeviceLink, null, All, RuleSeverity.Warning, true,
            "Aggregations settle on aggregate data but per-DER data is kept for audit: link the asset to the site and device that report it.",
            "[F2]", F2),
        new("FERC2222-AGGREGATOR-METERING", null, RuleKind.Informational, null, All, RuleSeverity.Warning, true,
            "The aggregator, not the host utility, supplies metering and telemetry.", "[F3]", F3),
        new("FERC2222-MIN-SIZE", null, RuleKind.Informational, 100, All, RuleSeverity.Warning, true,
            "An ISO's minimum aggregation size must be at most 100 kW.", "[F1]", F1),

        // CAISO.
        new("CAISO-SOC-4S", Iso.Caiso, RuleKind.MaximumTelemetryInterval, 4, WithStorage, RuleSeverity.Failure, true,
            "CAISO requires a battery's instantaneous state of charge every 4 s.", "[C1]", C1),
        new("CAISO-ENERGY-LIMIT", Iso.Caiso, RuleKind.RequiresStorageKwh, null, WithStorage, RuleSeverity.Failure, true,
            "CAISO requires a battery's maximum continuous energy limit (MWh) with its state of charge.", "[C1]", C1),
        new("CAISO-SCAN-4S", Iso.Caiso, RuleKind.MaximumTelemetryInterval, 4, SolarOnly, RuleSeverity.Warning, false,
            "A 4 s scan for MW / MVAr / status points is commonly cited for CAISO but not verified (only state of charge is).", "[C1]", C1),
        new("CAISO-REVENUE-METER", Iso.Caiso, RuleKind.RequiresMeterId, null, All, RuleSeverity.Warning, true,
            "CAISO DER participation uses ISO-certified revenue-quality meters; the scheduling coordinator may meter otherwise under the 2015 framework [C5], so this is a warning.",
            "[C7]", C7),
        new("CAISO-ONE-SUBLAP", Iso.Caiso, RuleKind.RequiresSubZone, null, All, RuleSeverity.Warning, true,
            "A multi-node CAISO aggregation must sit inside one sub-LAP: give the zone as CAISO-<sub-LAP>.", "[C5]", C5),
        new("CAISO-MIN-AGGREGATION", Iso.Caiso, RuleKind.Informational, 100, All, RuleSeverity.Warning, true,
            "CAISO's minimum aggregation was 0.5 MW (2016) [C3], cut to 100 kW in its Order 2222 filing.", "[C4]", C4),
        new("CAISO-RT-TELEMETRY", Iso.Caiso, RuleKind.Informational, 10_000, All, RuleSeverity.Warning, true,
            "Real-time telemetry is required only if the aggregation is at least 10 MW or sells ancillary services; aggregate-level, not per DER.",
            "[C3]", C3),

        // PJM.
        new("PJM-SCAN-10S", Iso.Pjm, RuleKind.MaximumTelemetryInterval, 10, All, RuleSeverity.Warning, false,
            "PJM scan rates of 2 s / 10 s are commonly cited but not verified; Manual 01 holds the control-centre requirements.", "NV", P5),
        new("PJM-MAX-AGGREGATION", Iso.Pjm, RuleKind.MaximumCapacityKw, 167_000, All, RuleSeverity.Warning, true,
            "PJM's 2023 proposal caps a multi-nodal aggregation at 167 MW (a proposal, so a warning).", "[P3]", P3),
        new("PJM-INTERVAL-METER", Iso.Pjm, RuleKind.RequiresMeterId, null, All, RuleSeverity.Warning, true,
            "Interval-metered PJM demand-response customers submit meter data; others may use statistical sampling.", "[P4]", P4),
        new("PJM-JETSTREAM", Iso.Pjm, RuleKind.Informational, null, All, RuleSeverity.Warning, true,
            "PJM telemetry goes over Jetstream: DNP3 over the Internet with TLS and PKI, an OATI client certificate, a certified device, dual links.",
            "[P1]", P1),
        new("PJM-EDC-REVIEW", Iso.Pjm, RuleKind.Informational, null, All, RuleSeverity.Warning, true,
            "The aggregator is the participant; the distribution company has 60 days to review each DER.", "[P2]", P2),

        // NYISO.
        new("NYISO-MIN-DER-10KW", Iso.Nyiso, RuleKind.MinimumCapacityKw, 10, All, RuleSeverity.Failure, true,
            "Each DER in a NYISO aggregation must be at least 10 kW.", "[N1]", N1),
        new("NYISO-INTERVAL-METER", Iso.Nyiso, RuleKind.RequiresMeterId, null, All, RuleSeverity.Failure, true,
            "The utility requires an interval meter per facility.", "[N3]", N3),
        new("NYISO-SCAN-6S", Iso.Nyiso, RuleKind.MaximumTelemetryInterval, 6, All, RuleSeverity.Warning, false,
            "A 6 s NYISO telemetry interval is commonly cited but not verified.", "NV", N2),
        new("NYISO-MAX-DER-20MW", Iso.Nyiso, RuleKind.MaximumCapacityKw, 20_000, All, RuleSeverity.Warning, false,
            "NYISO has a per-DER maximum [N2]; 20 MW is commonly cited but not verified.", "[N2]", N2),

        // ISO-NE.
        new("ISONE-WORKING-TELEMETRY", Iso.IsoNe, RuleKind.RequiresDeviceLink, null, All, RuleSeverity.Failure, true,
            "An ISO-NE demand response asset counts only with working telemetry: link it to the device that reports it.", "[E2]", E2),
        new("ISONE-FIVE-MINUTE-RQM", Iso.IsoNe, RuleKind.RequiresMeterId, null, All, RuleSeverity.Failure, true,
            "ISO-NE settles in real time on five-minute revenue-quality meter data.", "[E3]", E3),
        new("ISONE-SCAN-10S", Iso.IsoNe, RuleKind.MaximumTelemetryInterval, 10, All, RuleSeverity.Warning, false,
            "ISO-NE 10 s / 5-minute telemetry cadences are commonly cited but not verified.", "NV", E2),

        // ERCOT (ADER pilot).
        new("ERCOT-MAX-1MW-PREMISE", Iso.Ercot, RuleKind.MaximumCapacityKw, 1_000, All, RuleSeverity.Failure, true,
            "An ERCOT ADER premise may be at most 1 MW.", "[T1]", T1),
        new("ERCOT-MIN-ADER", Iso.Ercot, RuleKind.Informational, 100, All, RuleSeverity.Warning, true,
            "An ADER must offer at least 100 kW of response, inside one load zone with one LSE and DSP.", "[T1]", T1),
        new("ERCOT-PILOT-CAP", Iso.Ercot, RuleKind.Informational, 80_000, All, RuleSeverity.Warning, true,
            "The ADER pilot's phase 1 is capped at 80 MW, at most 40 MW of it non-spin.", "[T2]", T2),
        new("ERCOT-SCAN-2S", Iso.Ercot, RuleKind.MaximumTelemetryInterval, 2, All, RuleSeverity.Warning, false,
            "A 2 s ERCOT telemetry interval is commonly cited but not verified.", "NV", T1),

        // MISO.
        new("MISO-ICCP-5MW", Iso.Miso, RuleKind.Advisory, 5_000, All, RuleSeverity.Warning, true,
            "MISO resources of 5 MW or more must send MW / MVar, breaker status and control mode over ICCP (BPM-031 §2.3-2.4).", "[M1]", M1),
        new("MISO-METER-PER-DER", Iso.Miso, RuleKind.RequiresMeterId, null, All, RuleSeverity.Warning, true,
            "MISO's framework proposes a meter on each DER.", "[M2]", M2),
        new("MISO-SCAN-4S", Iso.Miso, RuleKind.MaximumTelemetryInterval, 4, All, RuleSeverity.Warning, false,
            "MISO scan rates (4 s or 10 s are cited) were open in 2021 and are not verified.", "[M2]", M2),
        new("MISO-MIN-AGGREGATION", Iso.Miso, RuleKind.Informational, 100, All, RuleSeverity.Warning, true,
            "MISO's minimum aggregation is at most 100 kW; FERC rejected a 1 MW interim floor.", "[M3]", M3),

        // SPP.
        new("SPP-UNVERIFIED", Iso.Spp, RuleKind.Advisory, null, All, RuleSeverity.Warning, false,
            "SPP defines no separate DER model and no stored source confirms any SPP telemetry value: confirm requirements with SPP.", "[Q1]", Q1),
    ];

    /// <summary>The rules that concern an asset of <paramref name="type"/> in <paramref name="iso"/>, baseline included.</summary>
    public static IEnumerable<IsoTelemetryRule> For(Iso iso, AssetType type) => Rules.Where(r => r.AppliesToAsset(iso, type));
}
