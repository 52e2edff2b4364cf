using System.IO.Compression;
using Nexwatt.Protocols.Grpc.Internal;

namespace Nexwatt.Protocols.Grpc.AspNetCore;

/// <summary>
/// Settings of the gRPC endpoints. Pass them to a Map call, or register one instance in DI
/// (<c>services.AddSingleton(new GrpcServerOptions { ... })</c>) for every endpoint mapped without options.
/// </summary>
public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted (after decompression); larger ends the call with ResourceExhausted. Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; init; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Largest response message a handler may write (before compression); larger fails the write with ResourceExhausted. Default: no limit.</summary>
    public int MaxSendMessageSize { get; init; } = int.MaxValue;

    /// <summary>Response message encoding, used only when the client's grpc-accept-encoding names it. Default none.</summary>
    public GrpcCompression ResponseCompression { get; init; } = GrpcCompression.None;

    /// <summary>gzip level for responses.</summary>
    public CompressionLevel ResponseCompressionLevel { get; init; } = CompressionLevel.Fastest;

    /// <summary>The clock behind deadlines (grpc-timeout).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Puts the exception message of an unexpected handler failure into grpc-message (never the stack trace). Default false: a generic message.</summary>
    public bool IncludeExceptionDetails { get; init; }

    /// <summary>
    /// Called once when a request message is refused (malformed, over <see cref="MaxReceiveMessageSize"/>, a bad or
    /// oversized compressed payload, a stream cut inside a message), before the call ends with that status: the place
    /// for the application to log and count it. Default none.
    /// </summary>
    public Func<GrpcServerCallContext, GrpcException, Task>? OnRequestMessageRefused { get; init; }

    internal void Validate()
    {
        if (MaxReceiveMessageSize <= 0) throw new ArgumentOutOfRangeException(nameof(MaxReceiveMessageSize), "Must be positive.");
        if (MaxSendMessageSize <= 0) throw new ArgumentOutOfRangeException(nameof(MaxSendMessageSize), "Must be positive.");
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
