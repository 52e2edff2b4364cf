namespace Nexwatt.Collector.Hosting;

/// <summary>Configuration section "Collector" (appsettings.json, /etc/nexwatt/collector.json, NEXWATT_ environment variables).</summary>
public sealed class CollectorOptions
{
    public const string SectionName = "Collector";

    /// <summary>
    /// Where sites and operators connect. Without a certificate the collector serves plain HTTP/2 and only on
    /// loopback (the embedded demo, or TLS ending at a proxy on the same host); anything else needs TLS.
    /// </summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>gRPC (HTTP/2): telemetry upload and setpoint streams.</summary>
    public int Port { get; set; } = 50051;

    /// <summary>The management API (registry, queries; JSON over HTTP/1.1 or 2), on the same address.</summary>
    public int ManagementPort { get; set; } = 50052;

    /// <summary>
    /// How long ingest trusts a device's asset link (or its lack of one) before asking the store again. This collector's
    /// own registry changes apply at once; changes made through another collector on the same database reach this
    /// one's ingest within this time. Zero asks the store for every batch. From zero to five minutes.
    /// </summary>
    public TimeSpan AssetLookupCacheDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How far ahead of this collector's clock a reading's source time may be (default 00:05:00, up to a day). Further
    /// ahead (a device clock gone wrong) it is stored flagged <c>future</c> and never becomes the asset's latest value.
    /// </summary>
    public TimeSpan MaxSourceTimeAhead { get; set; } = Normalization.NormalizerOptions.DefaultMaximumAheadOfReceipt;

    public CollectorTlsOptions Tls { get; set; } = new();

    public CollectorConnectionOptions Connections { get; set; } = new();

    public MqttIngestOptions MqttIngest { get; set; } = new();
}

public sealed class CollectorTlsOptions
{
    /// <summary>PEM certificate and key of the collector.</summary>
    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }

    /// <summary>PEM of the CA that issues site certificates; when set, a site may prove itself with a client certificate.</summary>
    public string? SiteCaFile { get; set; }
}

/// <summary>Telemetry through the MQTT broker, as a shared subscription so that several collectors split the sites.</summary>
public sealed class MqttIngestOptions
{
    public bool Enabled { get; set; }

    public string Host { get; set; } = "";

    public int? Port { get; set; }

    /// <summary>
    /// Collectors with the same group share the load: the broker gives each message to one of them. Empty: a plain
    /// subscription for a single collector (needed with Mosquitto 2.0 persistence, which forgets shared subscriptions
    /// across a broker restart; see collector/README.md).
    /// </summary>
    public string SharedGroup { get; set; } = "nexwatt-collectors";

    public string TopicPrefix { get; set; } = "nexwatt/v1";

    public string ClientId { get; set; } = $"nexwatt-collector-{Environment.MachineName}";

    public string? Username { get; set; }

    public string? Password { get; set; }

    public bool TlsEnabled { get; set; } = true;

    public string? CaCertificateFile { get; set; }

    public string? ClientCertificateFile { get; set; }

    public string? ClientKeyFile { get; set; }

    /// <summary>
    /// Batches stored at the same time. Unset: 4 with PostgreSQL, whose round trips would otherwise cap MQTT ingest
    /// (measured: 102,000 -> 138,000 readings/s with an asset linked), 1 with the embedded SQLite, which writes one
    /// transaction at a time anyway (there, 4 measured slower). PUBACKs still leave in arrival order, so a batch is
    /// acknowledged only once it and every batch before it are stored.
    /// </summary>
    public int? MaxConcurrentBatches { get; set; }

    /// <summary>
    /// Largest packet the collector takes from the broker, announced as its Maximum Packet Size: Mosquitto drops (after
    /// acknowledging the sender) anything larger. At least 4 MiB + 64 KiB, which covers the largest telemetry message an
    /// agent sends (Agent:Uplink:Mqtt:MaxMessageBytes is at most 4 MiB).
    /// </summary>
    public int MaxPacketBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Lets ingest use a broker on another host without TLS. Off: such a link carries every site's telemetry in clear,
    /// and a broker without TLS client certificates usually lets anyone write any site's topics.
    /// </summary>
    public bool AllowInsecureMqtt { get; set; }
}
