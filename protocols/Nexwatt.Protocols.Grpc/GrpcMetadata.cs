using System.Collections;

namespace Nexwatt.Protocols.Grpc;

/// <summary>
/// Custom metadata (request headers, response headers, trailers) as ordered key/value pairs. Keys are lower-case
/// ASCII; keys ending in "-bin" carry binary values, base64-encoded on the wire (PROTOCOL-HTTP2.md, Custom-Metadata).
/// Names reserved by gRPC or HTTP/2 (grpc-*, content-type, te, pseudo-headers) are refused.
/// </summary>
public sealed class GrpcMetadata : IEnumerable<KeyValuePair<string, string>>
{
    /// <summary>The suffix of binary keys.</summary>
    public const string BinarySuffix = "-bin";

    private readonly List<KeyValuePair<string, string>> _entries = [];

    /// <summary>The number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Adds an ASCII value (printable ASCII, space included).</summary>
    /// <exception cref="ArgumentException">The key is invalid, reserved or binary, or the value is not printable ASCII.</exception>
    public void Add(string key, string value)
    {
        ValidateKey(key);
        if (key.EndsWith(BinarySuffix, StringComparison.Ordinal))
            throw new ArgumentException($"'{key}' is a binary key; use {nameof(AddBinary)}.", nameof(key));
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
            if (c is < ' ' or > '~')
                throw new ArgumentException($"The value of '{key}' must be printable ASCII.", nameof(value));
        _entries.Add(new(key, value));
    }

    /// <summary>Adds a binary value; the key must end in "-bin".</summary>
    public void AddBinary(string key, ReadOnlySpan<byte> value)
    {
        ValidateKey(key);
        if (!key.EndsWith(BinarySuffix, StringComparison.Ordinal))
            throw new ArgumentException($"A binary key must end in '{BinarySuffix}'.", nameof(key));
        _entries.Add(new(key, Convert.ToBase64String(value).TrimEnd('='))); // the spec says emit un-padded
    }

    /// <summary>The last ASCII value of <paramref name="key"/> (as sent for a binary key), or null.</summary>
    public string? GetValue(string key)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase)) return _entries[i].Value;
        return null;
    }

    /// <summary>The decoded value of binary key <paramref name="key"/>, or null (also when it is not valid base64).</summary>
    public byte[]? GetBinary(string key)
    {
        if (GetValue(key) is not { } text) return null;
        var padded = text.Trim().PadRight((text.Trim().Length + 3) / 4 * 4, '=');
        try { return Convert.FromBase64String(padded); }
        catch (FormatException) { return null; }
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Adds what a peer sent, without validation (reserved names are skipped by the caller).</summary>
    internal void AddReceived(string key, string value) => _entries.Add(new(key.ToLowerInvariant(), value));

    /// <summary>True for names this layer sets itself, which an application may not send as metadata.</summary>
    internal static bool IsReserved(string key)
        => key.StartsWith(':') || key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)
            || key is "content-type" or "te" or "host" or "connection" or "transfer-encoding" or "upgrade" or "keep-alive" or "proxy-connection";

    private static void ValidateKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        foreach (var c in key)
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.'))
                throw new ArgumentException($"Metadata key '{key}' must be lower-case ASCII letters, digits, '-', '_' or '.'.", nameof(key));
        if (IsReserved(key)) throw new ArgumentException($"Metadata key '{key}' is reserved.", nameof(key));
    }
}
