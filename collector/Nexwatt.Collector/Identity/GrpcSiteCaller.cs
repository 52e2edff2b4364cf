using Microsoft.Extensions.DependencyInjection;
using Nexwatt.Protocols.Grpc;
using Nexwatt.Protocols.Grpc.AspNetCore;

namespace Nexwatt.Collector.Identity;

/// <summary>The gate in front of every site-facing gRPC method: the proven caller, or Unauthenticated.</summary>
internal static class GrpcSiteCaller
{
    /// <summary>
    /// The site the caller proved to be (<see cref="SiteIdentityResolver"/>). Otherwise <paramref name="refused"/>
    /// logs (peer, problem) in the service's own words and the call ends with Unauthenticated.
    /// </summary>
    public static async Task<SiteCaller> RequireAsync(GrpcServerCallContext context, Action<string, string> refused)
    {
        var resolver = context.HttpContext.RequestServices.GetRequiredService<SiteIdentityResolver>();
        var identity = await resolver.ResolveAsync(context.HttpContext, context.CancellationToken).ConfigureAwait(false);
        if (identity.Caller is { } caller) return caller;
        // One line per refused call, but bounded per peer address: a client retrying a bad token in a loop cannot flood the log.
        var limiter = context.HttpContext.RequestServices.GetService<SiteRefusalLog>();
        var held = 0;
        if (limiter is null || limiter.Limiter.TryTake(context.HttpContext.Connection.RemoteIpAddress?.ToString() ?? context.Peer, out held))
            refused(context.Peer, held == 0 ? identity.Problem! : $"{identity.Problem} ({held} earlier refusal(s) from this address held back from the log)");
        throw new GrpcException(GrpcStatusCode.Unauthenticated, identity.Problem);
    }
}

/// <summary>The rate limit of refused-identity log lines, one per collector.</summary>
internal sealed class SiteRefusalLog(TimeProvider time)
{
    public LogRateLimiter Limiter { get; } = new(time);
}
