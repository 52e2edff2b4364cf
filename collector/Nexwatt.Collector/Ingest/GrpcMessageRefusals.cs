using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Identity;
using Nexwatt.Protocols.Grpc;
using Nexwatt.Protocols.Grpc.AspNetCore;

namespace Nexwatt.Collector.Ingest;

/// <summary>
/// Every request message the gRPC endpoints refuse (malformed, oversized, a gzip bomb, a stream cut inside a
/// message) is counted and logged with the caller (the proven site, or the peer address) and the reason. Lines are
/// rate-limited per caller (<see cref="LinesPerWindow"/> per <see cref="Window"/>); what was held back is counted in
/// the next line, so a hostile or broken client cannot flood the log yet nothing goes unsaid.
/// </summary>
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

    /// <summary>The options every collector gRPC endpoint runs with: the refusal hook, default limits.</summary>
    public static GrpcServerOptions ServerOptions(IServiceProvider services)
    {
        var refusals = services.GetRequiredService<GrpcMessageRefusals>();
        return new GrpcServerOptions { OnRequestMessageRefused = refusals.OnRefusedAsync, TimeProvider = services.GetRequiredService<TimeProvider>() };
    }

    public async Task OnRefusedAsync(GrpcServerCallContext context, GrpcException refusal)
    {
        Interlocked.Increment(ref _total);
        // The site when the caller proved one (the upload has done so already); the peer address otherwise.
        string caller;
        try
        {
            var identity = await identities.ResolveAsync(context.HttpContext, context.CancellationToken).ConfigureAwait(false);
            caller = identity.Caller is { } site ? $"site {site.SiteId}" : $"unauthenticated peer {context.HttpContext.Connection.RemoteIpAddress}";
        }
        catch (OperationCanceledException)
        {
            caller = $"peer {context.HttpContext.Connection.RemoteIpAddress}";
        }
        if (_limiter.TryTake(caller, out var held))
            IngestLog.MessageRefused(logger, caller, context.Method, refusal.StatusCode, refusal.StatusMessage, held);
    }
}
