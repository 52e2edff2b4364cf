using System.Globalization;

namespace Nexwatt.HardwareSim.Enphase;

/// <summary>
/// Misbehaviour of a simulated gateway, in the comma syntax of <c>--fault</c>:
/// <c>slow=MS[@P]</c> (delay answers), <c>revoke-after=N</c> (tokens rejected with 401 after N authorized requests),
/// <c>unavailable=P</c> (503 with probability P), <c>stall=/path</c> (that endpoint never answers; repeatable with
/// <c>|</c>), <c>cert-change-after=N</c> (a new certificate after N requests), <c>ignore-writes</c> (tariff PUTs
/// acknowledged but not applied, as reported for 8.2.42xx). <c>/info</c> is never slowed, failed or stalled, so a
/// client can always identify the gateway.
/// </summary>
internal sealed record GatewayFaultPlan
{
    public static GatewayFaultPlan None { get; } = new();

    public int SlowMilliseconds { get; init; }

    public double SlowProbability { get; init; } = 1.0;

    public int RevokeAfterRequests { get; init; }

    public double UnavailableProbability { get; init; }

    public IReadOnlyList<string> StalledPaths { get; init; } = [];

    public int CertificateChangeAfterRequests { get; init; }

    public bool IgnoreTariffWrites { get; init; }

    public static bool TryParse(IEnumerable<string> texts, out GatewayFaultPlan plan, out string error)
    {
        plan = None;
        error = "";
        foreach (var text in texts)
        {
            if (string.IsNullOrWhiteSpace(text) || text.Trim() == "none") continue;
            foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = raw.IndexOf('=');
                var key = (eq < 0 ? raw : raw[..eq]).ToLowerInvariant();
                var value = eq < 0 ? null : raw[(eq + 1)..];
                switch (key)
                {
                    case "slow":
                        var at = value?.IndexOf('@') ?? -1;
                        if (!TryCount(at < 0 ? value : value![..at], 600_000, out var ms)) { error = $"'{raw}': slow needs a delay in milliseconds (1..600000), optionally @probability."; return false; }
                        var probability = 1.0;
                        if (at >= 0 && !TryProbability(value![(at + 1)..], out probability)) { error = $"'{raw}': the probability after @ must be between 0 and 1."; return false; }
                        plan = plan with { SlowMilliseconds = ms, SlowProbability = probability };
                        break;
                    case "revoke-after":
                        if (!TryCount(value, int.MaxValue, out var revoke)) { error = $"'{raw}': revoke-after needs a whole number of requests >= 1."; return false; }
                        plan = plan with { RevokeAfterRequests = revoke };
                        break;
                    case "unavailable":
                        if (!TryProbability(value, out var unavailable)) { error = $"'{raw}': unavailable needs a probability between 0 and 1."; return false; }
                        plan = plan with { UnavailableProbability = unavailable };
                        break;
                    case "stall":
                        var paths = (value ?? "").Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        if (paths.Length == 0 || paths.Any(p => !p.StartsWith('/'))) { error = $"'{raw}': stall needs a request path starting with '/', e.g. stall=/api/v1/production."; return false; }
                        plan = plan with { StalledPaths = [.. plan.StalledPaths, .. paths] };
                        break;
                    case "cert-change-after":
                        if (!TryCount(value, int.MaxValue, out var change)) { error = $"'{raw}': cert-change-after needs a whole number of requests >= 1."; return false; }
                        plan = plan with { CertificateChangeAfterRequests = change };
                        break;
                    case "ignore-writes":
                        if (value is not null) { error = $"'{raw}': ignore-writes takes no value."; return false; }
                        plan = plan with { IgnoreTariffWrites = true };
                        break;
                    default:
                        error = $"unknown Enphase fault '{key}' (known: slow, revoke-after, unavailable, stall, cert-change-after, ignore-writes, none).";
                        return false;
                }
            }
        }
        return true;
    }

    private static bool TryCount(string? text, int max, out int value)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1 && value <= max;

    private static bool TryProbability(string? text, out double value)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value is >= 0 and <= 1;
}
