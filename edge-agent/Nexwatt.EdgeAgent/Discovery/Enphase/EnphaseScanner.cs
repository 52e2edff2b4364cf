using System.Net;
using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Discovery.Mdns;
using Nexwatt.Protocols.Enphase.Decoding;

namespace Nexwatt.EdgeAgent.Discovery.Enphase;

/// <summary>An Enphase IQ Gateway found by a scan. <see cref="FoundBy"/> is "info", "mdns" or "mdns+info".</summary>
public sealed record FoundGateway(string Url, string Serial, string PartNumber, string Firmware, bool Metered, bool WebTokens, string FoundBy, string? ProtocolVersion)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Kind => "enphase";
}

/// <summary>What an Enphase scan looks at.</summary>
internal sealed record EnphaseScanOptions(IReadOnlyList<string> Ranges, IReadOnlyList<int> Ports, TimeSpan ProbeTimeout, TimeSpan MdnsListen, IPEndPoint? MdnsTarget);

/// <summary>
/// Finds IQ Gateways two ways: a DNS-SD browse for <c>_enphase-envoy._tcp</c> (TXT <c>serialnum</c>, <c>protovers</c>)
/// and <c>/info</c> probes of every address × port of the configured ranges; a gateway announced by mDNS is also read at
/// its announced address so that its firmware is known. Results are merged by serial.
/// </summary>
internal sealed class EnphaseScanner(TimeProvider time, ILogger logger)
{
    public const string ServiceName = "_enphase-envoy._tcp.local";
    private const int Parallelism = 16;

    public async Task<IReadOnlyList<FoundGateway>> ScanAsync(EnphaseScanOptions options, CancellationToken cancellationToken)
    {
        using var probe = new EnphaseInfoProbe(options.ProbeTimeout);
        var mdns = options.MdnsTarget is null ? Task.FromResult<IReadOnlyList<MdnsServiceInstance>>([]) : BrowseAsync(options.MdnsTarget, options.MdnsListen, cancellationToken);
        var targets = options.Ranges.SelectMany(r => AddressRange.Parse(r).Addresses()).Distinct()
            .SelectMany(a => options.Ports.Select(p => (Host: a.ToString(), Port: p))).ToList();
        var found = new Dictionary<string, FoundGateway>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (target, ct) =>
        {
            if (await probe.ProbeAsync(target.Host, target.Port, ct).ConfigureAwait(false) is { } hit)
                lock (found) found.TryAdd(hit.Info.Serial, FromInfo(hit.BaseUrl, hit.Info, "info", null));
        }).ConfigureAwait(false);

        foreach (var instance in await mdns.ConfigureAwait(false))
        {
            instance.Text.TryGetValue("serialnum", out var serial);
            instance.Text.TryGetValue("protovers", out var protocolVersion);
            if (serial is not null && found.TryGetValue(serial, out var known))
            {
                found[serial] = known with { FoundBy = "mdns+info", ProtocolVersion = protocolVersion };
                continue;
            }
            var hit = await probe.ProbeAsync(instance.Address.ToString(), instance.Port, cancellationToken).ConfigureAwait(false);
            if (hit is { } h) found[h.Info.Serial] = FromInfo(h.BaseUrl, h.Info, "mdns+info", protocolVersion);
            else if (serial is not null)
                found[serial] = new FoundGateway(new UriBuilder("http", instance.Address.ToString(), instance.Port).Uri.ToString().TrimEnd('/'), serial, "", "", false, false, "mdns", protocolVersion);
        }
        foreach (var gateway in found.Values) EnphaseScanLog.Found(logger, gateway.Url, gateway.Serial, gateway.Firmware, gateway.FoundBy);
        return [.. found.Values.OrderBy(g => g.Url, StringComparer.Ordinal)];
    }

    private async Task<IReadOnlyList<MdnsServiceInstance>> BrowseAsync(IPEndPoint target, TimeSpan listen, CancellationToken cancellationToken)
    {
        var browser = new MdnsBrowser(time);
        try
        {
            var instances = await browser.BrowseAsync(ServiceName, target, listen, cancellationToken).ConfigureAwait(false);
            if (browser.MalformedDatagrams > 0) EnphaseScanLog.MdnsMalformed(logger, browser.MalformedDatagrams);
            return instances;
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            // No multicast route (a container, no LAN): the /info probes still run.
            EnphaseScanLog.MdnsUnavailable(logger, target.ToString(), ex.Message);
            return [];
        }
    }

    private static FoundGateway FromInfo(Uri baseUrl, GatewayInfo info, string foundBy, string? protocolVersion)
        => new(baseUrl.ToString().TrimEnd('/'), info.Serial, info.PartNumber, info.Firmware.Text, info.Metered ?? false, info.WebTokens, foundBy, protocolVersion);
}
