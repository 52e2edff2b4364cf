namespace Nexwatt.EdgeAgent.Configuration;

/// <summary>The agent's configuration section "Agent" (appsettings.json, /etc/nexwatt/agent.json, NEXWATT_ environment variables).</summary>
public sealed partial class AgentOptions
{
    public const string SectionName = "Agent";

    /// <summary>This site's identity: it names the site in every reading, batch and status and in its MQTT topics.</summary>
    public string SiteId { get; set; } = "";

    /// <summary>Devices polled at fixed addresses.</summary>
    public List<DeviceOptions> Devices { get; set; } = [];

    /// <summary>Address ranges probed at start for SunSpec devices that are not listed.</summary>
    public DiscoveryOptions Discovery { get; set; } = new();

    /// <summary>Extra official SunSpec model JSON files (model_*.json) loaded on top of the built-in definitions.</summary>
    public string? SunSpecModelsFolder { get; set; }

    /// <summary>How readings leave the site: gRPC streaming to the collector, or MQTT when a broker is configured.</summary>
    public Uplink.UplinkOptions Uplink { get; set; } = new();

    /// <summary>Poll interval of devices that do not set their own.</summary>
    public TimeSpan DefaultPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The durable reading buffer (section "Agent:Buffer").</summary>
    public Buffer.BufferOptions Buffer { get; set; } = new();

    /// <summary>Dispatch setpoints: the pinned collector key, revert timeout and site limits (section "Agent:Dispatch").</summary>
    public Dispatch.DispatchOptions Dispatch { get; set; } = new();

    /// <summary>How often the agent logs its own memory (resident, managed heap, GC counts); zero turns it off.</summary>
    public TimeSpan HealthLogInterval { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>One device reached over Modbus TCP.</summary>
public sealed partial class DeviceOptions
{
    /// <summary>A stable name for the device (e.g. "inverter-roof"); defaults to host:port/unit.</summary>
    public string? Id { get; set; }

    /// <summary>The kind of device: "sunspec", the one kind the agent reads (discovered SunSpec models decide what is read).</summary>
    public string Type { get; set; } = DeviceTypes.SunSpec;

    public string Host { get; set; } = "";

    public int Port { get; set; } = 502;

    public int UnitId { get; set; } = 1;

    /// <summary>How often the device is read; null means <see cref="AgentOptions.DefaultPollInterval"/>.</summary>
    public TimeSpan? PollInterval { get; set; }

    /// <summary>How long one Modbus request may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A SunSpec base address to try before the standard ones (40000, 50000, 0).</summary>
    public int? SunSpecBaseAddress { get; set; }

    /// <summary>Model ids to poll; empty means every model the agent knows except the static common and nameplate blocks.</summary>
    public List<int> Models { get; set; } = [];

    /// <summary>Device quirks, as data.</summary>
    public DeviceQuirkOptions Quirks { get; set; } = new();

    /// <summary>
    /// The id the device's readings carry: <see cref="Id"/>, or for a device without one (discovered, or pasted from a
    /// scan) an id made of where it is, in the form the collector can link to an asset (letters, digits, '.', '_', '-',
    /// at most 64, starting with a letter or digit): 192.168.1.5-502-1, or ttyUSB0-7 for unit 7 on /dev/ttyUSB0.
    /// Before, it was "192.168.1.5:502/1", which the collector stored but could never link.
    /// </summary>
    public string EffectiveId => string.IsNullOrWhiteSpace(Id) ? GeneratedId() : Id;

    private string GeneratedId()
    {
        var where = IsSerial ? Path.GetFileName(Serial.Port.TrimEnd('/')) : $"{Host}-{Port}";
        var suffix = $"-{UnitId}";
        var cleaned = new string(where.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray())
            .TrimStart('.', '_', '-');
        if (cleaned.Length == 0) cleaned = "device";
        return cleaned[..Math.Min(cleaned.Length, 64 - suffix.Length)] + suffix;
    }
}

/// <summary>Per-device workarounds that real gateways need; see the Modbus library's ModbusDeviceQuirks.</summary>
public sealed class DeviceQuirkOptions
{
    public TimeSpan PauseAfterConnect { get; set; } = TimeSpan.Zero;

    public TimeSpan PauseBetweenRequests { get; set; } = TimeSpan.Zero;

    public int MaxRegistersPerRead { get; set; } = 125;

    /// <summary>"HighWordFirst" (SunSpec) or "LowWordFirst".</summary>
    public string WordOrder { get; set; } = "HighWordFirst";
}

/// <summary>SunSpec discovery over address ranges at start.</summary>
public sealed partial class DiscoveryOptions
{
    public bool Enabled { get; set; }

    /// <summary>Ranges such as "192.168.1.10-192.168.1.40", "10.0.0.0/28" or one address.</summary>
    public List<string> Ranges { get; set; } = [];

    // Lists start empty: the configuration binder appends to a list, so a default here would be doubled.
    /// <summary>Ports to probe; empty means 502.</summary>
    public List<int> Ports { get; set; } = [];

    /// <summary>Unit ids to probe; empty means 1.</summary>
    public List<int> UnitIds { get; set; } = [];

    public IReadOnlyList<int> EffectivePorts => Ports.Count == 0 ? [502] : Ports;

    public IReadOnlyList<int> EffectiveUnitIds => UnitIds.Count == 0 ? [1] : UnitIds;

    /// <summary>How long a probe waits for each address before moving on.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromMilliseconds(500);
}

public static class DeviceTypes
{
    public const string SunSpec = "sunspec";
    public const string Enphase = "enphase";
    public const string Map = "map";

    public static readonly IReadOnlyList<string> All = [SunSpec, Enphase, Map];
}
