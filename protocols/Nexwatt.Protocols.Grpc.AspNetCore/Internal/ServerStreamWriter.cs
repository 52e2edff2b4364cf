namespace Nexwatt.Protocols.Grpc.AspNetCore.Internal;

/// <summary>The handler's response stream: frames each message onto the response body.</summary>
internal sealed class ServerStreamWriter<T>(GrpcServerCall call, GrpcMarshaller<T> marshaller) : IGrpcStreamWriter<T>
{
    public ValueTask WriteAsync(T message, CancellationToken cancellationToken = default) => call.WriteMessageAsync(message, marshaller, cancellationToken);
}
