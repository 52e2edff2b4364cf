namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>Configuration section "Agent:Uplink": how readings leave the site.</summary>
public sealed class UplinkOptions
{
    public MqttUplinkOptions Mqtt { get; set; } = new();

    /// <summary>Streaming upload to the collector over gRPC, where no MQTT broker is deployed.</summary>
    public GrpcUplinkOptions Grpc { get; set; } = new();

    /// <summary>Most readings in one telemetry batch (one MQTT message).</summary>
    public int MaxBatchReadings { get; set; } = 1000;

    /// <summary>
    /// Ceiling on replayed (historical) readings per second after an outage, so that a backlog of days drains
    /// steadily while live readings keep their place on the link.
    /// </summary>
    public int BackfillReadingsPerSecond { get; set; } = 20_000;

    /// <summary>How often the site status (devices, buffer backlog, bytes written per day) is republished.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>The MQTT broker the site publishes to.</summary>
public sealed class MqttUplinkOptions
{
    public bool Enabled { get; set; }

    public string Host { get; set; } = "";

    /// <summary>Null means 8883 with TLS and 1883 without.</summary>
    public int? Port { get; set; }

    /// <summary>"5.0" or "3.1.1".</summary>
    public string ProtocolVersion { get; set; } = "5.0";

    /// <summary>Null means "nexwatt-agent-{SiteId}": one persistent session per site.</summary>
    public string? ClientId { get; set; }

    public string? Username { get; set; }

    /// <summary>Better given through NEXWATT_Agent__Uplink__Mqtt__Password or PasswordFile; never logged.</summary>
    public string? Password { get; set; }

    /// <summary>A file holding the password (e.g. a systemd credential), read at start.</summary>
    public string? PasswordFile { get; set; }

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Largest telemetry message (whole MQTT packet, bytes); bigger batches go as several messages. Lowered further to
    /// the broker's Maximum Packet Size when an MQTT 5.0 broker announces one. 4 KiB to 4 MiB; the collector accepts
    /// 4 MiB and more (Collector:MqttIngest:MaxPacketBytes).
    /// </summary>
    public int MaxMessageBytes { get; set; } = DefaultMaxMessageBytes;

    public const int DefaultMaxMessageBytes = 256 * 1024;
    public const int MaxMessageBytesLimit = 4 * 1024 * 1024;

    /// <summary>The topic tree; the site's subtree is {TopicPrefix}/{SiteId}/...</summary>
    public string TopicPrefix { get; set; } = "nexwatt/v1";

    public MqttUplinkTlsOptions Tls { get; set; } = new();
}

/// <summary>TLS for the broker link. On by default: the link leaves the site.</summary>
public sealed class MqttUplinkTlsOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>PEM file of the CA that signed the broker's certificate; when set, only it is trusted.</summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>PEM certificate and key of this site, for mutual TLS: the site's identity.</summary>
    public string? ClientCertificateFile { get; set; }

    public string? ClientKeyFile { get; set; }

    /// <summary>The name the broker's certificate must carry, when it is not the host name.</summary>
    public string? ServerName { get; set; }
}

/// <summary>The collector's gRPC endpoint (nexwatt.v1.TelemetryIngest/Upload).</summary>
public sealed class GrpcUplinkOptions
{
    public bool Enabled { get; set; }

    /// <summary>https://collector.example.net:50051, or http://127.0.0.1:50051 for a collector on this host.</summary>
    public string Address { get; set; } = "";

    /// <summary>This site's token, where TLS ends at a proxy; better given through the environment or TokenFile. Never logged.</summary>
    public string? SiteToken { get; set; }

    public string? SiteTokenFile { get; set; }

    /// <summary>PEM of the CA that signed the collector's certificate: the only one trusted.</summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>This site's certificate and key (mutual TLS): the site's identity.</summary>
    public string? ClientCertificateFile { get; set; }

    public string? ClientKeyFile { get; set; }

    /// <summary>
    /// The deadline of one Upload call: a collector that stops acknowledging is given up on by then at the latest, and
    /// a healthy session is renewed (what was in flight is sent again and deduplicated).
    /// </summary>
    public TimeSpan UploadCallLifetime { get; set; } = TimeSpan.FromMinutes(10);
}
