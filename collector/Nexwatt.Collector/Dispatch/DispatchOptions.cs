namespace Nexwatt.Collector.Dispatch;

/// <summary>Configuration section "Dispatch": the signing key, programs, resources and the delivery timings.</summary>
public sealed class DispatchOptions
{
    public const string SectionName = "Dispatch";

    /// <summary>
    /// PKCS#8 PEM of the collector's EC P-256 signing key. Empty: dispatch-signing-key.pem in the storage data
    /// directory, generated at first start (mode 0600) with its public key beside it (dispatch-signing-key.pub.pem).
    /// </summary>
    public string SigningKeyFile { get; set; } = "";

    /// <summary>Subscriber programs (cohorts) by name; an asset's program that is not listed gets the defaults.</summary>
    public Dictionary<string, ProgramOptions> Programs { get; set; } = new(StringComparer.Ordinal);

    /// <summary>ISO resources by id. An unlisted resource id that is an ISO zone name (e.g. "PJM") selects that zone.</summary>
    public Dictionary<string, ResourceOptions> Resources { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A site that has not acknowledged its setpoint this long after it was issued has failed.</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Unacknowledged setpoints are sent again this often, until acknowledged or expired.</summary>
    public TimeSpan ResendInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A site silent this long (no telemetry, no status) is offline: left out of allocations, dropped from a running dispatch.</summary>
    public TimeSpan SiteSilenceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Capacity payment per MW of the dispatch, attributed back to programs in the settlement report.</summary>
    public double CapacityPricePerMw { get; set; }

    /// <summary>The currency of <see cref="CapacityPricePerMw"/> (ISO 4217).</summary>
    public string Currency { get; set; } = "USD";

    /// <summary>How many telemetry intervals before the window form each asset's baseline in settlement.</summary>
    public int SettlementBaselineIntervals { get; set; } = 6;

    /// <summary>
    /// The largest <c>mw_requested</c> accepted (default 10,000 MW, beyond any DER resource). Below it a request larger than
    /// the resource's registered capacity is accepted and answered with its shortfall and <c>registered_mw</c>.
    /// </summary>
    public double MaxMwRequested { get; set; } = 10_000;

    /// <summary>How far after now a window may start (default 7 days).</summary>
    public TimeSpan MaxStartAhead { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long ago a window still running may have started (default 1 hour): its settlement spans the whole window.</summary>
    public TimeSpan MaxStartBehind { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest window (default 7 days), so that <c>window.end</c> is capped as <c>duration_s</c> is.</summary>
    public TimeSpan MaxWindowLength { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The program settings of <paramref name="program"/>, or the defaults.</summary>
    public ProgramOptions Program(string program) => Programs.TryGetValue(program, out var options) ? options : DefaultProgram;

    private static readonly ProgramOptions DefaultProgram = new();
}

/// <summary>One subscriber program: what each battery keeps for its subscriber.</summary>
public sealed class ProgramOptions
{
    /// <summary>State of charge (percent) a discharge never goes below.</summary>
    public double ReservePct { get; set; } = 20;

    /// <summary>State of charge (percent) a charge never goes above.</summary>
    public double MaxSocPct { get; set; } = 95;
}

/// <summary>One ISO resource: the zone whose assets it aggregates.</summary>
public sealed class ResourceOptions
{
    public string IsoZone { get; set; } = "";
}
