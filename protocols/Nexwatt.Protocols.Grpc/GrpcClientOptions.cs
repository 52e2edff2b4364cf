using Nexwatt.Protocols.Grpc.Internal;

namespace Nexwatt.Protocols.Grpc;

/// <summary>Settings of a <see cref="GrpcClient"/>, fixed for its lifetime.</summary>
public sealed class GrpcClientOptions
{
    /// <summary>Largest response message accepted (after decompression); a larger one fails the call with ResourceExhausted. Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; init; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Largest request message sent (before compression); a larger one fails the write with ResourceExhausted. Default 4 MiB.</summary>
    public int MaxSendMessageSize { get; init; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Encoding of request messages (grpc-encoding); per call override in <see cref="GrpcCallOptions.RequestCompression"/>. Default none.</summary>
    public GrpcCompression RequestCompression { get; init; } = GrpcCompression.None;

    /// <summary>The clock behind deadlines.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The user-agent header.</summary>
    public string UserAgent { get; init; } = "grpc-csharp-nexwatt/0.1";

    internal void Validate()
    {
        if (MaxReceiveMessageSize <= 0) throw new ArgumentOutOfRangeException(nameof(MaxReceiveMessageSize), "Must be positive.");
        if (MaxSendMessageSize <= 0) throw new ArgumentOutOfRangeException(nameof(MaxSendMessageSize), "Must be positive.");
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
