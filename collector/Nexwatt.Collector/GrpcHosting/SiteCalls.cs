using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Nexwatt.Collector.Identity;

namespace Nexwatt.Collector.GrpcHosting;

/// <summary>What a site-facing call carries besides its messages: the proven site, and whether its status is the service's own.</summary>
internal static class SiteCalls
{
    private const string CallerKey = "nexwatt.site-caller";
    private const string OwnStatusKey = "nexwatt.own-status";
    private const string ReachedKey = "nexwatt.service-reached";

    /// <summary>The site the caller proved to be (resolved once per call by <see cref="SiteCallInterceptor"/>).</summary>
    public static SiteCaller Site(this ServerCallContext context) =>
        context.UserState.TryGetValue(CallerKey, out var caller) && caller is SiteCaller site
            ? site
            : throw new InvalidOperationException("The site-facing services run behind SiteCallInterceptor; this call has no proven site.");

    internal static void SetSite(this ServerCallContext context, SiteCaller caller) => context.UserState[CallerKey] = caller;

    /// <summary>
    /// Ends the call with a status the service decided on (a refused identity, a foreign site, a limit), so that it is
    /// never mistaken for a refused request message (<see cref="Ingest.GrpcMessageRefusals"/>).
    /// </summary>
    public static RpcException Refuse(this ServerCallContext context, StatusCode status, string message)
    {
        context.UserState[OwnStatusKey] = true;
        return new RpcException(new Status(status, message));
    }

    internal static bool HasOwnStatus(HttpContext context) => context.Items.ContainsKey(OwnStatusKey);

    /// <summary>The request message was read (or is a stream) and the service's interceptors ran.</summary>
    internal static void MarkServiceReached(ServerCallContext context) => context.UserState[ReachedKey] = true;

    internal static bool ServiceReached(HttpContext context) => context.Items.ContainsKey(ReachedKey);
}
