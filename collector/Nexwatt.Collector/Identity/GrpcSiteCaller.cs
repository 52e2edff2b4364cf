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
        refused(context.Peer, identity.Problem!);
        throw new GrpcException(GrpcStatusCode.Unauthenticated, identity.Problem);
    }
}
