namespace Nexwatt.Protocols.Modbus.Client;

/// <summary>One RTU bus (a serial port, or a TCP socket carrying RTU frames): timing, timeouts and breakers.</summary>
public sealed class ModbusRtuLinkOptions
{
    /// <summary>The line speed; sets the t3.5 silence kept between frames (1.75 ms fixed above 19200).</summary>
    public int BaudRate { get; set; } = 9600;

    /// <summary>
    /// The silence kept before each request; null (the default) is the spec's t3.5 for <see cref="BaudRate"/>. Other
    /// units on a multi-drop bus need it to see where the last answer ended, so lower it only on a point-to-point
    /// link (one unit, or a gateway that frames the serial side itself); zero sends as soon as the answer is in, as
    /// libmodbus and pymodbus do.
    /// </summary>
    public TimeSpan? InterFrameSilence { get; set; }

    /// <summary>How long one request waits for its answer once it is on the wire.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Extra quiet time after an answer (or a timeout) before the next request, on top of t3.5: slow RS-485
    /// transceivers and devices need time to turn the line around.
    /// </summary>
    public TimeSpan TurnaroundDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The adapter echoes every byte it sends (2-wire RS-485 without echo suppression): read it back and drop it.</summary>
    public bool LocalEcho { get; set; }

    /// <summary>
    /// The shortest silence that ends a frame whose length the function code does not tell. User-space timers on
    /// Linux cannot see 1.75 ms reliably, so the default is longer than the spec's t3.5.
    /// </summary>
    public TimeSpan FrameSilence { get; set; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan ReconnectBackoffMin { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ReconnectBackoffMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failures (timeouts, corrupt answers) of one unit that open its breaker.</summary>
    public int BreakerFailureThreshold { get; set; } = 1;

    public TimeSpan BreakerOpenMin { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan BreakerOpenMax { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid setting.</summary>
    public void Validate(string name)
    {
        var problems = new List<string>();
        if (BaudRate <= 0) problems.Add($"BaudRate must be positive (got {BaudRate}).");
        if (ResponseTimeout <= TimeSpan.Zero) problems.Add($"ResponseTimeout must be positive (got {ResponseTimeout}).");
        if (TurnaroundDelay < TimeSpan.Zero || TurnaroundDelay > TimeSpan.FromSeconds(1))
            problems.Add($"TurnaroundDelay must be 0..1s (got {TurnaroundDelay}).");
        if (InterFrameSilence is { } silence && (silence < TimeSpan.Zero || silence > TimeSpan.FromSeconds(1)))
            problems.Add($"InterFrameSilence must be 0..1s (got {silence}).");
        if (FrameSilence <= TimeSpan.Zero) problems.Add($"FrameSilence must be positive (got {FrameSilence}).");
        if (ReconnectBackoffMin <= TimeSpan.Zero) problems.Add($"ReconnectBackoffMin must be positive (got {ReconnectBackoffMin}).");
        if (ReconnectBackoffMax < ReconnectBackoffMin) problems.Add($"ReconnectBackoffMax ({ReconnectBackoffMax}) must be at least ReconnectBackoffMin ({ReconnectBackoffMin}).");
        if (BreakerFailureThreshold < 1) problems.Add($"BreakerFailureThreshold must be at least 1 (got {BreakerFailureThreshold}).");
        if (BreakerOpenMin <= TimeSpan.Zero) problems.Add($"BreakerOpenMin must be positive (got {BreakerOpenMin}).");
        if (BreakerOpenMax < BreakerOpenMin) problems.Add($"BreakerOpenMax ({BreakerOpenMax}) must be at least BreakerOpenMin ({BreakerOpenMin}).");
        if (problems.Count > 0) throw new ArgumentException($"Invalid Modbus RTU link options for {name}: {string.Join(" ", problems)}");
    }

    internal ModbusRtuLinkOptions Clone() => (ModbusRtuLinkOptions)MemberwiseClone();
}
