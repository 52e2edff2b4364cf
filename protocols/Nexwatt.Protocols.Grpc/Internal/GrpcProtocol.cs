namespace Nexwatt.Protocols.Grpc.Internal;

/// <summary>Names and values from PROTOCOL-HTTP2.md (gRPC over HTTP/2).</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string Identity = "identity";
    public const string Gzip = "gzip";

    /// <summary>What this layer can decode, for grpc-accept-encoding.</summary>
    public const string SupportedEncodings = "identity,gzip";

    /// <summary>4 MiB, the limit gRPC implementations default to for received messages.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>"application/grpc" optionally followed by "+proto", "+json", ... or parameters.</summary>
    public static bool IsGrpcContentType(string? contentType)
        => contentType is not null && contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)
            && (contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';');

    /// <summary>Maps a grpc-encoding value; false for an encoding this layer does not implement.</summary>
    public static bool TryParseEncoding(string? value, out GrpcCompression compression)
    {
        compression = GrpcCompression.None;
        if (string.IsNullOrEmpty(value) || value.Equals(Identity, StringComparison.OrdinalIgnoreCase)) return true;
        if (!value.Equals(Gzip, StringComparison.OrdinalIgnoreCase)) return false;
        compression = GrpcCompression.Gzip;
        return true;
    }

    /// <summary>True when a grpc-accept-encoding list names <paramref name="encoding"/>.</summary>
    public static bool Accepts(string? acceptEncoding, string encoding)
    {
        if (string.IsNullOrEmpty(acceptEncoding)) return false;
        foreach (var part in acceptEncoding.Split(','))
            if (part.Trim().Equals(encoding, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Parses grpc-status: decimal without leading zeros; anything else is null.</summary>
    public static GrpcStatusCode? ParseStatus(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 9) return null;
        foreach (var c in value) if (c is < '0' or > '9') return null;
        return (GrpcStatusCode)int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
