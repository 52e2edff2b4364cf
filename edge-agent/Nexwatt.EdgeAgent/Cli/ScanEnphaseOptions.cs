using System.CommandLine;
using Nexwatt.Configuration;
using Nexwatt.EdgeAgent.Discovery;
using Nexwatt.EdgeAgent.Discovery.Enphase;
using Nexwatt.EdgeAgent.Discovery.Mdns;

namespace Nexwatt.EdgeAgent.Cli;

/// <summary>The Enphase part of <c>nexwatt-agent scan</c>: its options, the scan, and how gateways are printed.</summary>
internal sealed class ScanEnphaseOptions
{
    public Option<int[]> Ports { get; } = CliOptions.IntList("--enphase-ports", "Ports probed for an Enphase IQ Gateway's /info (HTTPS, then HTTP; 80 is HTTP only)", "80,443", 1, 65535);

    public Option<TimeSpan> MdnsListen { get; } = new("--mdns-timeout")
    {
        Description = "How long to collect mDNS answers for _enphase-envoy._tcp, e.g. 1500ms (default 1500ms).",
        DefaultValueFactory = _ => TimeSpan.FromMilliseconds(1500),
        CustomParser = result => Duration.TryParse(result.Tokens.Single().Value, out var value) && value > TimeSpan.Zero
            ? value
            : Invalid(result, $"--mdns-timeout: '{result.Tokens.Single().Value}' is not a positive duration such as 1500ms or 2s."),
    };

    public Option<bool> NoMdns { get; } = new("--no-mdns") { Description = "Do not send the mDNS query (only /info probes)." };

    public Option<bool> NoEnphase { get; } = new("--no-enphase") { Description = "Look for SunSpec devices only." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Ports, MdnsListen, NoMdns, NoEnphase }) command.Options.Add(option);
    }

    public async Task<IReadOnlyList<FoundGateway>> ScanAsync(ParseResult parse, IReadOnlyList<string> ranges, TimeSpan probeTimeout, CancellationToken cancellationToken)
    {
        if (parse.GetValue(NoEnphase)) return [];
        var options = new EnphaseScanOptions(ranges, parse.GetValue(Ports)!, probeTimeout, parse.GetValue(MdnsListen),
            parse.GetValue(NoMdns) ? null : MdnsBrowser.MulticastGroup);
        return await new EnphaseScanner(TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            .ScanAsync(options, cancellationToken).ConfigureAwait(false);
    }

    public static void WriteTable(IReadOnlyList<FoundGateway> gateways, TextWriter output)
    {
        if (gateways.Count == 0) return;
        output.WriteLine();
        output.WriteLine($"{"enphase gateway",-30} {"serial",-14} {"firmware",-12} {"auth",-7} {"metered",-7} found by");
        foreach (var g in gateways)
            output.WriteLine($"{g.Url,-30} {g.Serial,-14} {g.Firmware,-12} {(g.WebTokens ? "jwt" : g.Firmware.Length > 0 ? "digest" : "?"),-7} {(g.Metered ? "yes" : "no"),-7} {g.FoundBy}");
    }

    private static TimeSpan Invalid(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return default;
    }
}
