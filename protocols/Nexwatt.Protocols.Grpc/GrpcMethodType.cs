namespace Nexwatt.Protocols.Grpc;

/// <summary>The four call shapes of gRPC.</summary>
public enum GrpcMethodType
{
    /// <summary>One request, one response.</summary>
    Unary = 0,

    /// <summary>A stream of requests, one response.</summary>
    ClientStreaming = 1,

    /// <summary>One request, a stream of responses.</summary>
    ServerStreaming = 2,

    /// <summary>Both sides stream, independently.</summary>
    DuplexStreaming = 3,
}
