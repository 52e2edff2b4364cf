using Microsoft.AspNetCore.Http;
using Nexwatt.Collector.Registry;

namespace Nexwatt.Collector.Api;

/// <summary>
/// The one error format of the management API: <c>application/problem+json</c> holding
/// <c>{status, problems: [{severity, code, field, message}]}</c>, where <c>status</c> names the outcome
/// (<c>rejected</c>, <c>not_found</c>, <c>conflict</c>, ...) and every problem names its field and what is wrong.
/// </summary>
public static class ApiProblems
{
    /// <summary>The media type of every error answer (RFC 9457).</summary>
    public const string ContentType = "application/problem+json";

    /// <summary>Any answer in the API's JSON: a success as <c>application/json</c>, an error (4xx, 5xx) as a problem.</summary>
    public static IResult Json<T>(T value, int statusCode) =>
        Results.Json(value, RegistryJson.Options, statusCode >= 400 ? ContentType : null, statusCode);

    /// <summary>An error answer with one problem.</summary>
    public static IResult Problem(int statusCode, string code, string? field, string message) =>
        Json(new RegistryError(StatusWord(statusCode), [new RegistrationProblem(RegistrationProblem.Error, code, field, message)]), statusCode);

    /// <summary>400 with every problem found.</summary>
    public static IResult Rejected(IReadOnlyList<RegistrationProblem> problems) =>
        Json(new RegistryError("rejected", problems), StatusCodes.Status400BadRequest);

    /// <summary>Writes an error answer straight to a response that has not started (middleware, no endpoint result).</summary>
    public static Task WriteAsync(HttpContext context, int statusCode, string code, string message)
    {
        context.Response.StatusCode = statusCode;
        return Problem(statusCode, code, null, message).ExecuteAsync(context);
    }

    /// <summary>The outcome word of an HTTP status code.</summary>
    public static string StatusWord(int statusCode) => statusCode switch
    {
        StatusCodes.Status401Unauthorized => "unauthorized",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status409Conflict => "conflict",
        StatusCodes.Status413PayloadTooLarge => "too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        >= 500 => "error",
        _ => "rejected",
    };
}
