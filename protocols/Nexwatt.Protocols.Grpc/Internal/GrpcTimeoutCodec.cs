using System.Globalization;

namespace Nexwatt.Protocols.Grpc.Internal;

/// <summary>
/// grpc-timeout (PROTOCOL-HTTP2.md): TimeoutValue TimeoutUnit, the value a positive integer of at most 8 ASCII
/// digits, the unit one of H M S m u n. Formatting picks the coarsest unit that states the timeout exactly, else
/// the finest unit that fits in 8 digits, rounded up (a deadline is never shortened).
/// </summary>
internal static class GrpcTimeoutCodec
{
    private const long MaxValue = 99_999_999;

    // Unit length in nanoseconds, coarsest first.
    private static readonly (char Unit, long Nanoseconds)[] Units =
    [
        ('H', 3_600_000_000_000), ('M', 60_000_000_000), ('S', 1_000_000_000), ('m', 1_000_000), ('u', 1_000), ('n', 1),
    ];

    /// <summary>The longest timeout the header can carry: 99999999 hours.</summary>
    public static TimeSpan Max { get; } = TimeSpan.FromHours(MaxValue);

    public static string Format(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) return "1n";
        if (timeout >= Max) return "99999999H";
        // TimeSpan ticks are 100 ns; the product fits in a decimal, not always in a long.
        var nanoseconds = (decimal)timeout.Ticks * 100;
        foreach (var (unit, size) in Units)
            if (nanoseconds % size == 0 && nanoseconds / size <= MaxValue)
                return ((long)(nanoseconds / size)).ToString(CultureInfo.InvariantCulture) + unit;
        for (var i = Units.Length - 1; i >= 0; i--)
        {
            var value = decimal.Ceiling(nanoseconds / Units[i].Nanoseconds);
            if (value <= MaxValue) return ((long)value).ToString(CultureInfo.InvariantCulture) + Units[i].Unit;
        }
        return "99999999H";
    }

    /// <summary>Parses a grpc-timeout value; false when it does not follow the grammar.</summary>
    public static bool TryParse(string? text, out TimeSpan timeout)
    {
        timeout = default;
        if (text is null || text.Length is < 2 or > 9) return false;
        long value = 0;
        for (var i = 0; i < text.Length - 1; i++)
        {
            var c = text[i];
            if (c is < '0' or > '9') return false;
            value = value * 10 + (c - '0');
        }
        long? nanosecondsPerUnit = text[^1] switch
        {
            'H' => 3_600_000_000_000, 'M' => 60_000_000_000, 'S' => 1_000_000_000, 'm' => 1_000_000, 'u' => 1_000, 'n' => 1, _ => null,
        };
        if (nanosecondsPerUnit is not { } size) return false;
        var ticks = decimal.Ceiling((decimal)value * size / 100);
        timeout = TimeSpan.FromTicks((long)ticks);
        return true;
    }
}
