using Microsoft.Extensions.Options;
using Nexwatt.Collector.Registry;

namespace Nexwatt.Collector.Dispatch;

/// <summary>Every dispatch configuration mistake at start, with its key.</summary>
internal sealed class DispatchOptionsValidator : IValidateOptions<DispatchOptions>
{
    public ValidateOptionsResult Validate(string? name, DispatchOptions options)
    {
        var problems = new List<string>();
        const string key = DispatchOptions.SectionName;
        if (!string.IsNullOrEmpty(options.SigningKeyFile) && !File.Exists(options.SigningKeyFile))
            problems.Add($"{key}:SigningKeyFile '{options.SigningKeyFile}' does not exist (leave it empty to generate a key in the data directory).");
        foreach (var (program, settings) in options.Programs)
        {
            if (!double.IsFinite(settings.ReservePct) || settings.ReservePct is < 0 or > 100)
                problems.Add($"{key}:Programs:{program}:ReservePct {settings.ReservePct} is out of range (0-100).");
            if (!double.IsFinite(settings.MaxSocPct) || settings.MaxSocPct is < 0 or > 100)
                problems.Add($"{key}:Programs:{program}:MaxSocPct {settings.MaxSocPct} is out of range (0-100).");
            if (settings.ReservePct >= settings.MaxSocPct)
                problems.Add($"{key}:Programs:{program}: ReservePct {settings.ReservePct} must be below MaxSocPct {settings.MaxSocPct}.");
        }
        foreach (var (resource, settings) in options.Resources)
            if (!IsoZone.TryParse(settings.IsoZone, out _))
                problems.Add($"{key}:Resources:{resource}:IsoZone '{settings.IsoZone}' is not a known ISO zone.");
        Positive(problems, "ConfirmTimeout", options.ConfirmTimeout);
        Positive(problems, "ResendInterval", options.ResendInterval);
        Positive(problems, "SiteSilenceTimeout", options.SiteSilenceTimeout);
        if (!double.IsFinite(options.MaxMwRequested) || options.MaxMwRequested <= 0)
            problems.Add($"{key}:MaxMwRequested {options.MaxMwRequested} must be above 0.");
        // Bounded so that now plus any of them stays far inside DateTimeOffset's range.
        foreach (var (field, value) in new[] { ("MaxStartAhead", options.MaxStartAhead), ("MaxStartBehind", options.MaxStartBehind), ("MaxWindowLength", options.MaxWindowLength) })
            if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(3660))
                problems.Add($"{key}:{field} {value} must be above zero and at most 3660 days.");
        if (!double.IsFinite(options.CapacityPricePerMw) || options.CapacityPricePerMw < 0)
            problems.Add($"{key}:CapacityPricePerMw {options.CapacityPricePerMw} must be 0 or more.");
        if (options.SettlementBaselineIntervals is < 0 or > 1000)
            problems.Add($"{key}:SettlementBaselineIntervals {options.SettlementBaselineIntervals} is out of range (0-1000).");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void Positive(List<string> problems, string field, TimeSpan value)
    {
        if (value <= TimeSpan.Zero) problems.Add($"{DispatchOptions.SectionName}:{field} {value} must be above zero.");
    }
}
