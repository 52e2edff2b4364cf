using System.Net;
using Nexwatt.Collector.Hosting;

namespace Nexwatt.Collector.Ingest;

/// <summary>Start-time checks of Collector:MqttIngest that concern what the broker link may carry and who may be on it.</summary>
internal static class MqttIngestChecks
{
    /// <summary>4 MiB (the agent's largest telemetry message) + room for the PUBLISH header and the topic.</summary>
    public const int MinMaxPacketBytes = 4 * 1024 * 1024 + 64 * 1024;

    /// <summary>The largest packet MQTT can express (5.0 section 1.5.5: a 4-byte remaining length + the fixed header).</summary>
    public const int MaxMaxPacketBytes = 268_435_460;

    public static void AddProblems(MqttIngestOptions mqtt, string key, List<string> problems)
    {
        if (mqtt.MaxPacketBytes is < MinMaxPacketBytes or > MaxMaxPacketBytes)
            problems.Add($"{key}:MaxPacketBytes {mqtt.MaxPacketBytes} is out of range ({MinMaxPacketBytes}-{MaxMaxPacketBytes}): below {MinMaxPacketBytes} the broker drops the largest batches agents send.");
        // Without TLS the broker cannot know which site a client is (no certificate), and whatever reaches it from the
        // network can write any site's telemetry. Only a broker on this host is exempt, unless the operator says so.
        if (!mqtt.TlsEnabled && !IsLoopback(mqtt.Host) && !mqtt.AllowInsecureMqtt)
            problems.Add($"{key}: the broker '{mqtt.Host}' is not on this host and TlsEnabled is false: site identity and telemetry would cross the network unprotected. "
                + $"Enable TLS ({key}:TlsEnabled with client certificates and the broker ACL of packaging/mosquitto), or set {key}:AllowInsecureMqtt to true to accept the risk.");
    }

    /// <summary>"localhost" or a loopback IP literal; a name that merely resolves to loopback is not trusted to stay so.</summary>
    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
