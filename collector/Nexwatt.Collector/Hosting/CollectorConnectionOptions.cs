namespace Nexwatt.Collector.Hosting;

/// <summary>
/// Section "Collector:Connections": how long a connection or a stream may hold server resources while saying
/// nothing, and how many a site may hold at once. The setpoint stream is idle by nature (it waits for dispatch): it is
/// never timed out for silence; HTTP/2 keepalive pings prove its peer is still there, and a per-site limit bounds it.
/// </summary>
public sealed class CollectorConnectionOptions
{
    /// <summary>A connection with no open stream (HTTP/2) or between requests (HTTP/1.1) is closed after this.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A new connection that has not sent its request headers (or HTTP/2 preface) within this is closed.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>With no frame from the client for this long the server pings it ...</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>... and closes the connection when the ping is not answered within this.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Concurrent HTTP/2 streams (calls) one connection may open. An agent uses two (upload, setpoints).</summary>
    public int MaxStreamsPerConnection { get; set; } = 16;

    /// <summary>An upload stream on which no batch arrives for this long is ended (Unavailable); the agent reconnects when it has data.</summary>
    public TimeSpan UploadIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Concurrent upload streams of one site; one more is refused (ResourceExhausted).</summary>
    public int MaxUploadStreamsPerSite { get; set; } = 4;

    /// <summary>Concurrent setpoint streams of one site; one more is refused (ResourceExhausted).</summary>
    public int MaxSetpointStreamsPerSite { get; set; } = 4;

    internal IEnumerable<string> Problems(string key)
    {
        foreach (var (name, value, max) in new[]
        {
            (nameof(IdleTimeout), IdleTimeout, TimeSpan.FromHours(1)),
            (nameof(RequestHeadersTimeout), RequestHeadersTimeout, TimeSpan.FromMinutes(5)),
            (nameof(KeepAlivePingDelay), KeepAlivePingDelay, TimeSpan.FromHours(1)),
            (nameof(KeepAlivePingTimeout), KeepAlivePingTimeout, TimeSpan.FromMinutes(10)),
            (nameof(UploadIdleTimeout), UploadIdleTimeout, TimeSpan.FromDays(1)),
        })
            if (value <= TimeSpan.Zero || value > max) yield return $"{key}:{name} {value} is out of range (above 00:00:00, at most {max}).";
        foreach (var (name, value) in new[]
        {
            (nameof(MaxStreamsPerConnection), MaxStreamsPerConnection), (nameof(MaxUploadStreamsPerSite), MaxUploadStreamsPerSite),
            (nameof(MaxSetpointStreamsPerSite), MaxSetpointStreamsPerSite),
        })
            if (value is < 1 or > 1000) yield return $"{key}:{name} {value} is out of range (1-1000).";
    }
}
