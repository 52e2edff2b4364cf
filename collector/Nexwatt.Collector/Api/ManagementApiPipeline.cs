using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Nexwatt.Collector.Api;

/// <summary>
/// The rules every management API route (<c>/v1/...</c>) shares, whoever maps it: an answer that would leave with an
/// empty error body (401 from authentication, 404 / 405 from routing, an exception) gets a problem body
/// (<see cref="ApiProblems"/>), and a request body must be declared JSON. gRPC calls on the other port are left alone.
/// </summary>
public static class ManagementApiPipeline
{
    /// <summary>True for the management API's routes.</summary>
    public static bool IsManagementPath(PathString path) => path.StartsWithSegments("/v1", StringComparison.Ordinal);

    /// <summary>True for a gRPC call (site ingest and dispatch), which answers with gRPC status trailers, never a problem body.</summary>
    public static bool IsGrpc(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// Before authentication: turns empty error answers and exceptions into problem bodies, for every request but
    /// gRPC calls (so a path outside /v1, such as "/" or a typo, gets one too).
    /// </summary>
    public static IApplicationBuilder UseManagementApiProblems(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (IsGrpc(context.Request))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            // Kestrel's own refusals (body over its limit, a truncated body): the client's fault, said so.
            await ApiProblems.WriteAsync(context, ex.StatusCode, "bad_request", ex.Message).ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ManagementApiPipeline));
            ApiLog.Failed(logger, context.Request.Method, context.Request.Path, context.TraceIdentifier, ex);
            await ApiProblems.WriteAsync(context, StatusCodes.Status500InternalServerError, "internal_error",
                $"The collector could not answer this request; the cause is logged under trace id {context.TraceIdentifier}.").ConfigureAwait(false);
            return;
        }
        var response = context.Response;
        if (response.StatusCode >= 400 && !response.HasStarted && response.ContentLength is null && response.ContentType is null)
            await ApiProblems.WriteAsync(context, response.StatusCode, ApiProblems.StatusWord(response.StatusCode), EmptyAnswerMessage(context)).ConfigureAwait(false);
    });

    /// <summary>After authorization (so a stranger learns nothing more than 401): a request body must be UTF-8 JSON.</summary>
    public static IApplicationBuilder UseJsonRequestBodies(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (IsManagementPath(request.Path) && (HasBody(context) || request.ContentType is not null) && !IsJson(request.ContentType))
        {
            await ApiProblems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                $"The body must be JSON: Content-Type application/json (UTF-8); it is '{Shorten(request.ContentType ?? "(none)")}'.").ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    });

    /// <summary>application/json or any +json type, in UTF-8 when a charset is named.</summary>
    public static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType.Value is not { } type) return false;
        var json = type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        var charset = media.Charset.Value;
        return json && (charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
    }

    private static bool HasBody(HttpContext context) =>
        context.Request.ContentLength > 0
        || (context.Request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);

    private static string EmptyAnswerMessage(HttpContext context) => context.Response.StatusCode switch
    {
        StatusCodes.Status401Unauthorized => "A management token is required: Authorization: Bearer <token>, one of Collector:Management:Tokens.",
        StatusCodes.Status403Forbidden => "This token may not use the management API.",
        StatusCodes.Status404NotFound => $"No route {context.Request.Method} {Shorten(context.Request.Path.Value ?? "")}.",
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not allowed on {Shorten(context.Request.Path.Value ?? "")}.",
        var status => $"The request was refused (HTTP {status}).",
    };

    // Echoed input is cut, so a huge header or path is not sent back whole.
    internal static string Shorten(string text) => text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 120), "...");
}
