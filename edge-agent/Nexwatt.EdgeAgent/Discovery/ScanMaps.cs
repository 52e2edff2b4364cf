using Nexwatt.EdgeAgent.Configuration;

namespace Nexwatt.EdgeAgent.Discovery;

/// <summary>The register-map half of a scan (the `scan` command and the worker's discovery): every host and port of the ranges.</summary>
internal static class ScanMaps
{
    public static Task<IReadOnlyList<FoundDevice>> FindAsync(DiscoveryOptions options, TimeSpan timeout, CancellationToken cancellationToken, string? userMaps = null)
    {
        var endpoints = options.Ranges.SelectMany(r => AddressRange.Parse(r).Addresses()).Distinct()
            .SelectMany(a => options.EffectivePorts.Select(p => (a.ToString(), p))).ToList();
        return new RegisterMapScanner(RegisterMaps.AgentRegisterMaps.Load(userMaps), TimeProvider.System).ScanAsync(endpoints, timeout, cancellationToken);
    }
}
