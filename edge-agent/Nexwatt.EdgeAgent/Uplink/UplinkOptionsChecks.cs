namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>Start-time checks of Agent:Uplink, reported with the rest of the configuration's problems.</summary>
internal static class UplinkOptionsChecks
{
    public static void AddProblems(UplinkOptions uplink, List<string> problems)
    {
        const string key = "Agent:Uplink";
        if (uplink.MaxBatchReadings is < 1 or > 100_000)
            problems.Add($"{key}:MaxBatchReadings {uplink.MaxBatchReadings} is out of range (1-100000).");
        if (uplink.BackfillReadingsPerSecond < 1)
            problems.Add($"{key}:BackfillReadingsPerSecond must be at least 1.");
        if (uplink.StatusInterval < TimeSpan.FromSeconds(1))
            problems.Add($"{key}:StatusInterval {uplink.StatusInterval} is below one second.");

        AddGrpcProblems(uplink, problems);
        var mqtt = uplink.Mqtt;
        if (!mqtt.Enabled) return;
        if (string.IsNullOrWhiteSpace(mqtt.Host) || Uri.CheckHostName(mqtt.Host) == UriHostNameType.Unknown)
            problems.Add($"{key}:Mqtt:Host '{mqtt.Host}' is not a valid host name or IP address.");
        if (mqtt.Port is < 1 or > 65535)
            problems.Add($"{key}:Mqtt:Port {mqtt.Port} is out of range (1-65535).");
        if (mqtt.ProtocolVersion is not ("5.0" or "3.1.1"))
            problems.Add($"{key}:Mqtt:ProtocolVersion '{mqtt.ProtocolVersion}' must be 5.0 or 3.1.1.");
        if (mqtt.MaxMessageBytes is < 4096 or > MqttUplinkOptions.MaxMessageBytesLimit)
            problems.Add($"{key}:Mqtt:MaxMessageBytes {mqtt.MaxMessageBytes} is out of range (4096-{MqttUplinkOptions.MaxMessageBytesLimit}).");
        if (mqtt.KeepAlive < TimeSpan.FromSeconds(1) || mqtt.KeepAlive > TimeSpan.FromSeconds(65535))
            problems.Add($"{key}:Mqtt:KeepAlive {mqtt.KeepAlive} is out of range (1 s to 18 h).");
        if (string.IsNullOrWhiteSpace(mqtt.TopicPrefix) || mqtt.TopicPrefix.IndexOfAny(['+', '#']) >= 0 || mqtt.TopicPrefix.EndsWith('/'))
            problems.Add($"{key}:Mqtt:TopicPrefix '{mqtt.TopicPrefix}' must be a plain topic without wildcards or a trailing '/'.");
        if (!string.IsNullOrEmpty(mqtt.Password) && string.IsNullOrEmpty(mqtt.Username))
            problems.Add($"{key}:Mqtt:Password is set without Username.");
        if (!string.IsNullOrEmpty(mqtt.PasswordFile) && !File.Exists(mqtt.PasswordFile))
            problems.Add($"{key}:Mqtt:PasswordFile '{mqtt.PasswordFile}' does not exist.");

        var tls = mqtt.Tls;
        foreach (var (name, file) in new[] { ("CaCertificateFile", tls.CaCertificateFile), ("ClientCertificateFile", tls.ClientCertificateFile), ("ClientKeyFile", tls.ClientKeyFile) })
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
                problems.Add($"{key}:Mqtt:Tls:{name} '{file}' does not exist.");
        if (string.IsNullOrEmpty(tls.ClientCertificateFile) != string.IsNullOrEmpty(tls.ClientKeyFile))
            problems.Add($"{key}:Mqtt:Tls: ClientCertificateFile and ClientKeyFile go together (mutual TLS needs both).");
        if (!tls.Enabled && (!string.IsNullOrEmpty(mqtt.Password) || !string.IsNullOrEmpty(mqtt.PasswordFile)))
            problems.Add($"{key}:Mqtt: a password over a link without TLS would travel in clear text; enable Tls or drop the password.");
    }

    private static void AddGrpcProblems(UplinkOptions uplink, List<string> problems)
    {
        const string key = "Agent:Uplink:Grpc";
        var grpc = uplink.Grpc;
        if (!grpc.Enabled) return;
        if (uplink.Mqtt.Enabled)
            problems.Add($"{key} and Agent:Uplink:Mqtt are both enabled; one uplink drains the buffer: enable one.");
        if (!Uri.TryCreate(grpc.Address, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            problems.Add($"{key}:Address '{grpc.Address}' must be an http:// or https:// address.");
            return;
        }
        // Telemetry leaves the site only over TLS; plain HTTP/2 is for a collector on this very host.
        if (address.Scheme == "http" && !address.IsLoopback)
            problems.Add($"{key}:Address '{grpc.Address}' is plain http to another host; use https (TLS on every link that leaves the site).");
        if (address.Scheme == "https" && string.IsNullOrEmpty(grpc.CaCertificateFile))
            problems.Add($"{key}:CaCertificateFile is required with https: the collector's CA is pinned.");
        foreach (var (name, file) in new[] { ("CaCertificateFile", grpc.CaCertificateFile), ("ClientCertificateFile", grpc.ClientCertificateFile), ("ClientKeyFile", grpc.ClientKeyFile), ("SiteTokenFile", grpc.SiteTokenFile) })
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
                problems.Add($"{key}:{name} '{file}' does not exist.");
        if (string.IsNullOrEmpty(grpc.ClientCertificateFile) != string.IsNullOrEmpty(grpc.ClientKeyFile))
            problems.Add($"{key}: ClientCertificateFile and ClientKeyFile go together (mutual TLS needs both).");
        if (grpc.UploadCallLifetime < TimeSpan.FromSeconds(10))
            problems.Add($"{key}:UploadCallLifetime {grpc.UploadCallLifetime} is too short; give at least 00:00:10 (the deadline of one Upload session).");
        if (string.IsNullOrEmpty(grpc.ClientCertificateFile) && string.IsNullOrEmpty(grpc.SiteToken) && string.IsNullOrEmpty(grpc.SiteTokenFile))
            problems.Add($"{key}: the site needs an identity: a client certificate (ClientCertificateFile, ClientKeyFile) or a SiteToken / SiteTokenFile.");
    }
}
