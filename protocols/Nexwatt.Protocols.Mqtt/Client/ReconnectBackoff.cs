namespace Nexwatt.Protocols.Mqtt.Client;

/// <summary>Exponential reconnect backoff with "equal jitter": half of each step is fixed, half random.</summary>
internal static class ReconnectBackoff
{
    public static TimeSpan Delay(int attempt, TimeSpan min, TimeSpan max, Random random)
    {
        if (attempt < 1) return TimeSpan.Zero;
        var step = Math.Min(max.Ticks, min.Ticks * Math.Pow(2, Math.Min(attempt - 1, 40)));
        return TimeSpan.FromTicks((long)(step / 2 + random.NextDouble() * step / 2));
    }
}
