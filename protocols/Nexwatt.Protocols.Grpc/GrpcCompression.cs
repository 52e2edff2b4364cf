namespace Nexwatt.Protocols.Grpc;

/// <summary>Message encodings this layer speaks (grpc-encoding); compression is per message, never per stream.</summary>
public enum GrpcCompression
{
    /// <summary>"identity": messages travel as serialized.</summary>
    None = 0,

    /// <summary>"gzip": each message is gzip-compressed on its own (compressed flag 1).</summary>
    Gzip = 1,
}
