using System.Net;
using Microsoft.Extensions.Options;

namespace Nexwatt.Collector.Hosting;

/// <summary>Every configuration mistake at start, with its key, instead of a collector that half works.</summary>
internal sealed class CollectorOptionsValidator : IValidateOptions<CollectorOptions>
{
    private static readonly TimeSpan MaxAssetLookupCacheDuration = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, CollectorOptions options)
    {
        var problems = new List<string>();
        const string key = CollectorOptions.SectionName;
        if (!IPAddress.TryParse(options.ListenAddress, out var address))
            problems.Add($"{key}:ListenAddress '{options.ListenAddress}' is not an IP address.");
        if (options.Port is < 0 or > 65535)
            problems.Add($"{key}:Port {options.Port} is out of range (0-65535).");
        if (options.ManagementPort is < 0 or > 65535)
            problems.Add($"{key}:ManagementPort {options.ManagementPort} is out of range (0-65535).");
        // Beyond a few minutes, a device relinked through another collector would feed the wrong asset for too long.
        if (options.AssetLookupCacheDuration < TimeSpan.Zero || options.AssetLookupCacheDuration > MaxAssetLookupCacheDuration)
            problems.Add($"{key}:AssetLookupCacheDuration {options.AssetLookupCacheDuration} is out of range (00:00:00 to {MaxAssetLookupCacheDuration}).");
        problems.AddRange((options.Connections ?? new()).Problems($"{key}:Connections"));
        if (options.MaxSourceTimeAhead <= TimeSpan.Zero || options.MaxSourceTimeAhead > TimeSpan.FromDays(1))
            problems.Add($"{key}:MaxSourceTimeAhead {options.MaxSourceTimeAhead} is out of range (above 00:00:00, at most 1.00:00:00).");
        var tls = options.Tls;
        if (string.IsNullOrEmpty(tls.CertificateFile) != string.IsNullOrEmpty(tls.KeyFile))
            problems.Add($"{key}:Tls: CertificateFile and KeyFile go together.");
        foreach (var (field, file) in new[] { ("CertificateFile", tls.CertificateFile), ("KeyFile", tls.KeyFile), ("SiteCaFile", tls.SiteCaFile) })
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
                problems.Add($"{key}:Tls:{field} '{file}' does not exist.");
        // Telemetry and tokens never cross a network in clear: without a certificate, loopback only.
        if (string.IsNullOrEmpty(tls.CertificateFile) && address is not null && !IPAddress.IsLoopback(address))
            problems.Add($"{key}:ListenAddress {options.ListenAddress} is not loopback, so Collector:Tls:CertificateFile and KeyFile are required.");
        if (!string.IsNullOrEmpty(tls.SiteCaFile) && string.IsNullOrEmpty(tls.CertificateFile))
            problems.Add($"{key}:Tls:SiteCaFile needs the collector's own certificate (client certificates only travel over TLS).");
        var mqtt = options.MqttIngest;
        if (mqtt.Enabled)
        {
            if (string.IsNullOrWhiteSpace(mqtt.Host)) problems.Add($"{key}:MqttIngest:Host is empty.");
            if (mqtt.Port is < 1 or > 65535) problems.Add($"{key}:MqttIngest:Port {mqtt.Port} is out of range (1-65535).");
            if (mqtt.MaxConcurrentBatches is < 1 or > 64)
                problems.Add($"{key}:MqttIngest:MaxConcurrentBatches {mqtt.MaxConcurrentBatches} is out of range (1-64).");
            if (mqtt.SharedGroup.IndexOfAny(['/', '+', '#', '$']) >= 0)
                problems.Add($"{key}:MqttIngest:SharedGroup '{mqtt.SharedGroup}' must be a plain name (or empty for a single collector).");
            Ingest.MqttIngestChecks.AddProblems(mqtt, $"{key}:MqttIngest", problems);
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
