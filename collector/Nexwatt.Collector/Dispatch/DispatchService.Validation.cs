using System.Globalization;
using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Collector.Registry;

namespace Nexwatt.Collector.Dispatch;

// Checking an instruction: every problem is listed, none stops the others from being found.
internal sealed partial class DispatchService
{
    private (string ResourceId, IsoZone Zone, double Megawatts, DispatchDirection Direction, DateTimeOffset Start, DateTimeOffset End)? Validate(
        DispatchRequest request, DateTimeOffset now, List<RegistrationProblem> problems)
    {
        IsoZone? zone = null;
        if (string.IsNullOrWhiteSpace(request.ResourceId))
            problems.Add(RegistrationProblem.Invalid("resource_id", "resource_id is required."));
        else if ((zone = DispatchCandidates.ZoneOf(request.ResourceId, Options)) is null)
            problems.Add(new RegistrationProblem(RegistrationProblem.Error, "unknown_resource", "resource_id",
                $"Unknown resource '{request.ResourceId}': not configured under Dispatch:Resources and not an ISO zone."));

        if (request.MwRequested is not { } megawatts)
            problems.Add(RegistrationProblem.Invalid("mw_requested", "mw_requested is required (megawatts, above 0)."));
        else if (!double.IsFinite(megawatts) || megawatts <= 0 || megawatts > Options.MaxMwRequested)
            problems.Add(RegistrationProblem.Invalid("mw_requested",
                $"mw_requested must be above 0 and at most {Mw(Options.MaxMwRequested)} (Dispatch:MaxMwRequested); it is {Mw(megawatts)}."));

        DispatchDirection? direction = null;
        if (string.IsNullOrWhiteSpace(request.Direction))
            problems.Add(RegistrationProblem.Invalid("direction", "direction is required: discharge, charge or curtail."));
        else if (request.Direction.ToLowerInvariant() is var name && name is "discharge" or "charge" or "curtail")
            direction = Enum.Parse<DispatchDirection>(name, ignoreCase: true);
        else
            problems.Add(RegistrationProblem.Invalid("direction", $"direction '{request.Direction}' is not one of discharge, charge, curtail."));

        DateTimeOffset start = now, end = now;
        if (request.Window is not { } window)
        {
            problems.Add(RegistrationProblem.Invalid("window", "window is required: {start, end} or {start, duration_s}; start defaults to now."));
        }
        else
        {
            start = window.Start ?? now;
            var endKnown = false;
            // The start is checked first: a start near DateTimeOffset's end plus a duration would overflow.
            var startInRange = start <= now + Options.MaxStartAhead;
            if (!startInRange)
                problems.Add(RegistrationProblem.Invalid("window.start",
                    $"window.start {start:O} is more than {Options.MaxStartAhead} after now ({now:O}; Dispatch:MaxStartAhead)."));
            var maxSeconds = Options.MaxWindowLength.TotalSeconds;
            if (window.End is not null && window.DurationS is not null)
                problems.Add(RegistrationProblem.Invalid("window", "Give window.end or window.duration_s, not both."));
            else if (window.End is { } givenEnd)
                (end, endKnown) = (givenEnd, startInRange);
            else if (window.DurationS is { } seconds)
            {
                if (!double.IsFinite(seconds) || seconds <= 0 || seconds > maxSeconds)
                    problems.Add(RegistrationProblem.Invalid("window.duration_s",
                        $"window.duration_s must be above 0 and at most {maxSeconds.ToString(CultureInfo.InvariantCulture)} (Dispatch:MaxWindowLength)."));
                else if (startInRange)
                    (end, endKnown) = (start.AddSeconds(seconds), true);
            }
            else
                problems.Add(RegistrationProblem.Invalid("window.end", "window.end or window.duration_s is required."));
            if (endKnown && end <= start)
                problems.Add(RegistrationProblem.Invalid("window.end", $"window.end {end:O} must be after window.start {start:O}."));
            else if (endKnown && end <= now)
                problems.Add(RegistrationProblem.Invalid("window", $"The window is in the past: it ended at {end:O}."));
            else if (endKnown)
            {
                if (end - start > Options.MaxWindowLength)
                    problems.Add(RegistrationProblem.Invalid("window.end",
                        $"The window from {start:O} to {end:O} is longer than {Options.MaxWindowLength} (Dispatch:MaxWindowLength)."));
                if (start < now - Options.MaxStartBehind)
                    problems.Add(RegistrationProblem.Invalid("window.start",
                    $"window.start {start:O} is more than {Options.MaxStartBehind} before now ({now:O}; Dispatch:MaxStartBehind): its settlement would span all of it."));
            }
        }

        if (problems.Count > 0) return null;
        return (request.ResourceId!, zone!, request.MwRequested!.Value, direction!.Value, start.ToUniversalTime(), end.ToUniversalTime());
    }

    private static string Mw(double megawatts) => megawatts.ToString("0.###", CultureInfo.InvariantCulture);
}
