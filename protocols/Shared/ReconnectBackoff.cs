namespace Nexwatt.Protocols;

/// <summary>
/// The one reconnect backoff of our protocol clients (Modbus TCP link, MQTT session): exponential from a minimum to a
/// maximum, with "equal jitter" (half of each step fixed, half random), so that a fleet that lost its broker or gateway
/// at once does not come back in step. Compiled into each client library from this one file (protocols/Shared), since
/// the libraries depend on nothing but the base library.
/// </summary>
internal static class ReconnectBackoff
{
    public static TimeSpan Delay(int attempt, TimeSpan min, TimeSpan max, Random random)
    {
        if (attempt < 1) return TimeSpan.Zero;
        var step = Math.Min(max.Ticks, min.Ticks * Math.Pow(2, Math.Min(attempt - 1, 40)));
        return TimeSpan.FromTicks((long)(step / 2 + random.NextDouble() * step / 2));
    }
}
