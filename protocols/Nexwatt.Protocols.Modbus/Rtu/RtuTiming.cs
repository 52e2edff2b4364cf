namespace Nexwatt.Protocols.Modbus.Rtu;

/// <summary>
/// RTU silence intervals (Modbus over Serial Line V1.02, section 2.5.1.1). A character is 11 bits (start, 8 data,
/// parity or a second stop bit, stop). Above 19200 baud the spec fixes t1.5 at 750 µs and t3.5 at 1.750 ms.
/// </summary>
public static class RtuTiming
{
    private const int BitsPerCharacter = 11;

    /// <summary>The t3.5 silence that separates frames.</summary>
    public static TimeSpan InterFrameDelay(int baudRate) => baudRate > 19200
        ? TimeSpan.FromMicroseconds(1750)
        : TimeSpan.FromMicroseconds(CharacterMicroseconds(baudRate) * 3.5);

    /// <summary>The t1.5 limit between the characters of one frame.</summary>
    public static TimeSpan InterCharacterTimeout(int baudRate) => baudRate > 19200
        ? TimeSpan.FromMicroseconds(750)
        : TimeSpan.FromMicroseconds(CharacterMicroseconds(baudRate) * 1.5);

    private static double CharacterMicroseconds(int baudRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baudRate);
        return BitsPerCharacter * 1_000_000.0 / baudRate;
    }
}
