using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Nexwatt.Collector.Registry;

namespace Nexwatt.Collector.Api;

/// <summary>
/// Query strings read strictly, like bodies: an unknown or repeated parameter, an unreadable value or a time out of
/// range is a problem naming the parameter, never a default silently taken or an overflow (500) further on.
/// </summary>
public static class ApiQuery
{
    /// <summary>The earliest time a query may name: nothing the collector stores is older.</summary>
    public static readonly DateTimeOffset EarliestTime = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The latest time a query may name, a year short of DateTimeOffset's end so that spans around it never overflow.</summary>
    public static readonly DateTimeOffset LatestTime = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Adds a problem for every parameter not in <paramref name="known"/> and every one given twice.</summary>
    public static void Check(HttpRequest request, List<RegistrationProblem> problems, params string[] known)
    {
        foreach (var (name, values) in request.Query)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
                problems.Add(new RegistrationProblem(RegistrationProblem.Error, "unknown_parameter", Show(name),
                    known.Length == 0 ? $"'{Show(name)}' is not a parameter of this route; it takes none."
                        : $"'{Show(name)}' is not a parameter of this route; it takes {string.Join(", ", known)}."));
            else if (values.Count > 1)
                problems.Add(RegistrationProblem.Invalid(name, $"{name} is given {values.Count} times; give it once."));
        }
    }

    /// <summary>Refuses every query parameter on a route that takes none (a typo'd one would otherwise be ignored).</summary>
    public static RouteHandlerBuilder TakesNoQuery(this RouteHandlerBuilder route) => route.AddEndpointFilter(async (context, next) =>
    {
        var problems = new List<RegistrationProblem>();
        Check(context.HttpContext.Request, problems);
        return problems.Count > 0 ? ApiProblems.Rejected(problems) : await next(context).ConfigureAwait(false);
    });

    /// <summary>The parameter's value, or null when absent (a repeated one is reported by <see cref="Check"/>).</summary>
    public static string? Value(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;

    /// <summary>An ISO 8601 time (UTC unless it says otherwise) between <see cref="EarliestTime"/> and <see cref="LatestTime"/>.</summary>
    public static DateTimeOffset? Time(HttpRequest request, string name, List<RegistrationProblem> problems)
    {
        if (Value(request, name) is not { } text) return null;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var time))
        {
            problems.Add(RegistrationProblem.Invalid(name, $"{name} '{Show(text)}' is not an ISO 8601 time, e.g. 2026-12-04T10:00:00Z."));
            return null;
        }
        if (time < EarliestTime || time > LatestTime)
        {
            problems.Add(RegistrationProblem.Invalid(name, $"{name} {time:O} is out of range ({EarliestTime:yyyy-MM-dd} to {LatestTime:yyyy-MM-dd})."));
            return null;
        }
        return time.ToUniversalTime();
    }

    /// <summary>true or false; anything else is a problem (a silent false would hide a typo).</summary>
    public static bool Boolean(HttpRequest request, string name, List<RegistrationProblem> problems)
    {
        if (Value(request, name) is not { } text) return false;
        if (bool.TryParse(text, out var value)) return value;
        problems.Add(RegistrationProblem.Invalid(name, $"{name} '{Show(text)}' is not true or false."));
        return false;
    }

    /// <summary>Echoed input, cut so that a huge value is not sent back whole.</summary>
    public static string Show(string text) => ManagementApiPipeline.Shorten(text);
}
