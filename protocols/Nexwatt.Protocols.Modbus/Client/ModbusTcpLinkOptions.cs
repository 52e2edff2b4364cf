namespace Nexwatt.Protocols.Modbus.Client;

/// <summary>One Modbus TCP link (one ip:port): timeouts, pipelining, reconnect backoff and circuit breaker.</summary>
public sealed class ModbusTcpLinkOptions
{
    /// <summary>Host name or IP address of the device or gateway.</summary>
    public string Host { get; set; } = "";

    public int Port { get; set; } = 502;

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long one request waits for its response once it is on the wire.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Requests on the wire at once. 1 (the default) suits devices that do not pipeline; up to 64.</summary>
    public int MaxInFlight { get; set; } = 1;

    /// <summary>First reconnect delay after a failure; doubles per consecutive failure, with jitter.</summary>
    public TimeSpan ReconnectBackoffMin { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectBackoffMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive transient failures (timeouts, gateway exceptions) of one unit id that open its breaker.</summary>
    public int BreakerFailureThreshold { get; set; } = 3;

    /// <summary>The first open period of a unit's breaker; doubles each time its half-open probe fails.</summary>
    public TimeSpan BreakerOpenMin { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan BreakerOpenMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>"host:port".</summary>
    public string EndpointName => $"{Host}:{Port}";

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid setting.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Host)) problems.Add("Host is required.");
        if (Port is < 1 or > 65535) problems.Add($"Port must be 1..65535 (got {Port}).");
        if (ConnectTimeout <= TimeSpan.Zero) problems.Add($"ConnectTimeout must be positive (got {ConnectTimeout}).");
        if (ResponseTimeout <= TimeSpan.Zero) problems.Add($"ResponseTimeout must be positive (got {ResponseTimeout}).");
        if (MaxInFlight is < 1 or > 64) problems.Add($"MaxInFlight must be 1..64 (got {MaxInFlight}).");
        if (ReconnectBackoffMin <= TimeSpan.Zero) problems.Add($"ReconnectBackoffMin must be positive (got {ReconnectBackoffMin}).");
        if (ReconnectBackoffMax < ReconnectBackoffMin) problems.Add($"ReconnectBackoffMax ({ReconnectBackoffMax}) must be at least ReconnectBackoffMin ({ReconnectBackoffMin}).");
        if (BreakerFailureThreshold < 1) problems.Add($"BreakerFailureThreshold must be at least 1 (got {BreakerFailureThreshold}).");
        if (BreakerOpenMin <= TimeSpan.Zero) problems.Add($"BreakerOpenMin must be positive (got {BreakerOpenMin}).");
        if (BreakerOpenMax < BreakerOpenMin) problems.Add($"BreakerOpenMax ({BreakerOpenMax}) must be at least BreakerOpenMin ({BreakerOpenMin}).");
        if (problems.Count > 0) throw new ArgumentException($"Invalid Modbus TCP link options for {EndpointName}: {string.Join(" ", problems)}");
    }

    internal ModbusTcpLinkOptions Clone() => (ModbusTcpLinkOptions)MemberwiseClone();
}
