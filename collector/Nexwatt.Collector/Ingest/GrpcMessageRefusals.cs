using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Dispatch;
using Nexwatt.Collector.GrpcHosting;
using Nexwatt.Collector.Identity;

namespace Nexwatt.Collector.Ingest;

/// <summary>
/// Every request message the site-facing gRPC services refuse (malformed, oversized, a gzip bomb, a stream cut inside
/// a message) is counted and logged with the caller (the proven site, or the peer address) and the reason. Lines are
/// rate-limited per caller (<see cref="LinesPerWindow"/> per <see cref="Window"/>); what was held back is counted in
/// the next line, so a hostile or broken client cannot flood the log yet nothing goes unsaid.
/// </summary>
/// <remarks>
/// grpc-dotnet refuses such messages itself (before the service runs, or from the request stream's MoveNext), so the
/// refusal is read where every call ends: this middleware, from the call's grpc-status. A status the service decided
/// on (<see cref="SiteCalls.Refuse"/>), a cancelled call or one the client reset is not a refused message.
/// </remarks>
internal sealed class GrpcMessageRefusals(SiteIdentityResolver identities, TimeProvider time, ILogger<GrpcMessageRefusals> logger)
{
    public const int LinesPerWindow = LogRateLimiter.LinesPerWindow;
    public static readonly TimeSpan Window = LogRateLimiter.Window;

    private readonly LogRateLimiter _limiter = new(time);
    private long _total;

    /// <summary>Refusals since start.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Refusals held back from the log and not yet reported by a later line.</summary>
    public long HeldBack => _limiter.HeldBack;

    /// <summary>Runs the call, then counts and logs it when it ended refusing a request message.</summary>
    public async Task ObserveAsync(HttpContext context, RequestDelegate next)
    {
        await next(context).ConfigureAwait(false);
        var service = context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.ServiceType;
        if (service != typeof(TelemetryIngestService) && service != typeof(SiteDispatchService)) return;
        // A call the client reset is not a refusal anyone hears of: its read ends short because the client went away.
        if (context.RequestAborted.IsCancellationRequested) return;
        if (SiteCalls.HasOwnStatus(context) || Status(context) is not { } status) return;
        if (status.StatusCode == StatusCode.Unknown && !SiteCalls.ServiceReached(context) && !context.Response.HasStarted)
            status = RefuseUnreadable(context);
        if (status.StatusCode is not (StatusCode.Internal or StatusCode.ResourceExhausted or StatusCode.Unimplemented)) return;
        Interlocked.Increment(ref _total);
        // The site when the caller proved one; the peer address otherwise.
        string caller;
        try
        {
            var identity = await identities.ResolveAsync(context, CancellationToken.None).ConfigureAwait(false);
            caller = identity.Caller is { } site ? $"site {site.SiteId}" : $"unauthenticated peer {context.Connection.RemoteIpAddress}";
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            caller = $"peer {context.Connection.RemoteIpAddress}";
        }
        if (_limiter.TryTake(caller, out var held))
            IngestLog.MessageRefused(logger, caller, context.Request.Path, status.StatusCode, status.Detail, held);
    }

    /// <summary>
    /// A request message grpc-dotnet could not read before the service ran (a compressed flag neither 0 nor 1, a length
    /// beyond 2 GiB) ends its call with Unknown, as if the service had crashed; the status of that Trailers-Only
    /// response, not yet sent, is made what it is: Internal, the message refused.
    /// </summary>
    private static Status RefuseUnreadable(HttpContext context)
    {
        var reason = context.Features.Get<IServerCallContextFeature>()?.ServerCallContext.Status.DebugException?.Message ?? "unreadable";
        var status = new Status(StatusCode.Internal, $"Failed to read the request message: {reason}");
        context.Response.Headers["grpc-status"] = ((int)status.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = Uri.EscapeDataString(status.Detail);
        return status;
    }

    /// <summary>The call's status: in the trailers, or in the headers of a Trailers-Only response; null when it has none.</summary>
    private static Status? Status(HttpContext context)
    {
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        var code = trailers?["grpc-status"].ToString() is { Length: > 0 } t ? t : context.Response.Headers["grpc-status"].ToString();
        if (!int.TryParse(code, System.Globalization.CultureInfo.InvariantCulture, out var value)) return null;
        var message = trailers?["grpc-message"].ToString() is { Length: > 0 } m ? m : context.Response.Headers["grpc-message"].ToString();
        return new Status((StatusCode)value, Uri.UnescapeDataString(message));
    }
}
