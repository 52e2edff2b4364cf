namespace Nexwatt.Protocols.Grpc.Tests.Support;

internal static class Hex
{
    /// <summary>"00 00 00 00 02" → bytes (spaces ignored).</summary>
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
