namespace Nexwatt.Protocols.Mqtt.Tests;

internal static class Hex
{
    /// <summary>"10 20 0A" → bytes (spaces ignored).</summary>
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));

    public static string Of(ReadOnlySpan<byte> bytes) => string.Join(' ', bytes.ToArray().Select(b => b.ToString("X2")));
}
