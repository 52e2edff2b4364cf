using System.Text;

namespace Nexwatt.Protocols.Mqtt;

/// <summary>TLS settings of an MQTT connection (SslStream, TLS 1.2/1.3 as the OS offers).</summary>
public sealed class MqttTlsOptions
{
    /// <summary>Connects with TLS when true.</summary>
    public bool Enabled { get; set; }

    /// <summary>PEM file of the CA (or CAs) that signed the broker's certificate. When set, ONLY these CAs are trusted for the broker.</summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>PEM file of the client certificate for mutual TLS (optionally followed by its chain).</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>PEM file of the client certificate's private key; when null the key is read from <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>Name sent as SNI and checked against the broker certificate; defaults to <see cref="MqttClientOptions.Host"/>.</summary>
    public string? ServerName { get; set; }

    /// <summary>Accepts any broker certificate. For tests only: it defeats TLS authentication.</summary>
    public bool AllowUntrustedServer { get; set; }

    internal MqttTlsOptions Clone() => (MqttTlsOptions)MemberwiseClone();
}

/// <summary>Settings of one <see cref="MqttClient"/>: broker endpoint, session, keep-alive, flow control, reconnect.</summary>
public sealed class MqttClientOptions
{
    /// <summary>Broker host name or IP address.</summary>
    public string Host { get; set; } = "";

    /// <summary>Broker TCP port (1883 plain, 8883 usual for TLS).</summary>
    public int Port { get; set; } = 1883;

    /// <summary>Client identifier; must be non-empty for a persistent session.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>Protocol version to speak.</summary>
    public MqttProtocolVersion ProtocolVersion { get; set; } = MqttProtocolVersion.V500;

    /// <summary>Clean Start (5.0) / Clean Session (3.1.1). False keeps the broker-side session (subscriptions, queued QoS 1 messages).</summary>
    public bool CleanStart { get; set; }

    /// <summary>5.0 Session Expiry Interval in seconds (section 3.1.2.11.2); ignored by 3.1.1, where a non-clean session never expires.</summary>
    public uint SessionExpirySeconds { get; set; } = 7 * 24 * 3600;

    /// <summary>Keep-alive interval (whole seconds, 0 disables). The client pings when idle this long and declares the connection dead after 1.5x without any packet.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Budget for TCP connect, TLS handshake and CONNACK together.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>User name, or null.</summary>
    public string? Username { get; set; }

    /// <summary>Password, or null. MQTT 3.1.1 requires a user name when a password is set.</summary>
    public string? Password { get; set; }

    /// <summary>The will the broker publishes if the connection ends without a clean DISCONNECT.</summary>
    public MqttWill? Will { get; set; }

    /// <summary>TLS settings.</summary>
    public MqttTlsOptions Tls { get; set; } = new();

    /// <summary>QoS 1 publishes awaiting PUBACK at once (1..65535); 5.0 brokers may lower it with Receive Maximum.</summary>
    public int MaxInFlight { get; set; } = 100;

    /// <summary>First reconnect delay; doubles per consecutive failure up to <see cref="ReconnectDelayMax"/>, with jitter.</summary>
    public TimeSpan ReconnectDelayMin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of the reconnect delay.</summary>
    public TimeSpan ReconnectDelayMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest packet accepted from the broker (whole packet, bytes); larger ones close the connection. Announced to 5.0 brokers.</summary>
    public int MaxIncomingPacketSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Capacity of <see cref="MqttClient.Messages"/>; when full, reading from the broker waits. Announced to 5.0 brokers
    /// as the Receive Maximum (at most 65535): the broker never has more unacknowledged QoS 1 messages out to us.
    /// </summary>
    public int IncomingMessageCapacity { get; set; } = 1000;

    /// <summary>
    /// False (the default): a QoS 1 message is acknowledged (PUBACK) as soon as it is in <see cref="MqttClient.Messages"/>,
    /// so a process that dies before handling it loses it. True: the application acknowledges each message with
    /// <see cref="MqttApplicationMessage.Acknowledge"/> after handling it; until then the broker keeps it and, with a
    /// persistent session (<see cref="CleanStart"/> false), delivers it again after a reconnect.
    /// </summary>
    public bool ManualAcknowledgement { get; set; }

    /// <summary>"host:port".</summary>
    public string EndpointName => $"{Host}:{Port}";

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid setting.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Host)) problems.Add("Host is required.");
        if (Port is < 1 or > 65535) problems.Add($"Port must be 1..65535 (got {Port}).");
        if (ProtocolVersion is not (MqttProtocolVersion.V311 or MqttProtocolVersion.V500)) problems.Add($"ProtocolVersion {(int)ProtocolVersion} is not supported.");
        var clientId = ClientId ?? "";
        if (Encoding.UTF8.GetByteCount(clientId) > 65535) problems.Add("ClientId is longer than 65535 UTF-8 bytes.");
        if (clientId.Length == 0 && !CleanStart) problems.Add("ClientId is required for a persistent session (CleanStart false).");
        if (clientId.Contains('\0')) problems.Add("ClientId must not contain U+0000.");
        if (KeepAlive < TimeSpan.Zero || KeepAlive > TimeSpan.FromSeconds(65535) || KeepAlive.Ticks % TimeSpan.TicksPerSecond != 0)
            problems.Add($"KeepAlive must be whole seconds in 0..65535 (got {KeepAlive}).");
        if (ConnectTimeout <= TimeSpan.Zero) problems.Add($"ConnectTimeout must be positive (got {ConnectTimeout}).");
        if (Password is not null && Username is null && ProtocolVersion == MqttProtocolVersion.V311) problems.Add("MQTT 3.1.1 needs a Username when a Password is set.");
        if (Username is not null && Encoding.UTF8.GetByteCount(Username) > 65535) problems.Add("Username is longer than 65535 UTF-8 bytes.");
        if (Password is not null && Encoding.UTF8.GetByteCount(Password) > 65535) problems.Add("Password is longer than 65535 UTF-8 bytes.");
        if (Will is { } will)
        {
            if (!MqttTopic.IsValidTopicName(will.Topic, out var why)) problems.Add($"Will topic is invalid: {why}");
            if (will.Payload.Length > 65535) problems.Add("Will payload is longer than 65535 bytes.");
            if (will.QualityOfService is not (MqttQualityOfService.AtMostOnce or MqttQualityOfService.AtLeastOnce)) problems.Add("Will QoS must be 0 or 1.");
        }
        if (MaxInFlight is < 1 or > 65535) problems.Add($"MaxInFlight must be 1..65535 (got {MaxInFlight}).");
        if (ReconnectDelayMin <= TimeSpan.Zero) problems.Add($"ReconnectDelayMin must be positive (got {ReconnectDelayMin}).");
        if (ReconnectDelayMax < ReconnectDelayMin) problems.Add($"ReconnectDelayMax ({ReconnectDelayMax}) must be at least ReconnectDelayMin ({ReconnectDelayMin}).");
        if (MaxIncomingPacketSize is < 64 or > 268_435_460) problems.Add($"MaxIncomingPacketSize must be 64..268435460 (got {MaxIncomingPacketSize}).");
        if (IncomingMessageCapacity < 1) problems.Add($"IncomingMessageCapacity must be at least 1 (got {IncomingMessageCapacity}).");
        if (Tls is null) problems.Add("Tls must not be null.");
        else
        {
            if (!Tls.Enabled && (Tls.CaCertificateFile ?? Tls.ClientCertificateFile ?? Tls.ClientKeyFile) is not null)
                problems.Add("Tls certificate files are set but Tls.Enabled is false.");
            if (Tls.ClientKeyFile is not null && Tls.ClientCertificateFile is null) problems.Add("Tls.ClientKeyFile needs Tls.ClientCertificateFile.");
        }
        if (problems.Count > 0) throw new ArgumentException($"Invalid MQTT client options for {EndpointName}: {string.Join(" ", problems)}");
    }

    internal MqttClientOptions Clone()
    {
        var copy = (MqttClientOptions)MemberwiseClone();
        copy.Tls = Tls.Clone();
        return copy;
    }
}
