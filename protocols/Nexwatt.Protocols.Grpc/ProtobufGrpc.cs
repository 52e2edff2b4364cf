using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Nexwatt.Protocols.Grpc;

/// <summary>
/// Builds <see cref="GrpcMethod{TRequest, TResponse}"/> from a protobuf contract (messages generated with
/// GrpcServices="None"; services read from the file descriptor), so paths and shapes come from the .proto.
/// <code>
/// var upload = ProtobufGrpc.Method&lt;TelemetryBatch, UploadAck&gt;(CollectorReflection.Descriptor, "nexwatt.v1.TelemetryIngest", "Upload");
/// </code>
/// </summary>
public static class ProtobufGrpc
{
    /// <summary>A marshaller for a generated protobuf message type.</summary>
    public static GrpcMarshaller<T> Marshaller<T>() where T : IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return new GrpcMarshaller<T>((message, writer) => message.WriteTo(writer), parser.ParseFrom);
    }

    /// <summary>The method <paramref name="methodName"/> of service <paramref name="serviceFullName"/> declared in <paramref name="file"/>.</summary>
    /// <exception cref="ArgumentException">The service or method is not declared there, or the message types do not match.</exception>
    public static GrpcMethod<TRequest, TResponse> Method<TRequest, TResponse>(FileDescriptor file, string serviceFullName, string methodName)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(file);
        var service = file.Services.FirstOrDefault(s => s.FullName == serviceFullName)
            ?? throw new ArgumentException($"{file.Name} declares no service '{serviceFullName}'.", nameof(serviceFullName));
        var method = service.FindMethodByName(methodName)
            ?? throw new ArgumentException($"Service '{serviceFullName}' declares no method '{methodName}'.", nameof(methodName));
        return Method<TRequest, TResponse>(method);
    }

    /// <summary>The method a protobuf <see cref="MethodDescriptor"/> describes.</summary>
    /// <exception cref="ArgumentException">The message types do not match the descriptor's input and output types.</exception>
    public static GrpcMethod<TRequest, TResponse> Method<TRequest, TResponse>(MethodDescriptor method)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.InputType.ClrType != typeof(TRequest))
            throw new ArgumentException($"{method.FullName} takes {method.InputType.FullName}, not {typeof(TRequest).Name}.", nameof(method));
        if (method.OutputType.ClrType != typeof(TResponse))
            throw new ArgumentException($"{method.FullName} returns {method.OutputType.FullName}, not {typeof(TResponse).Name}.", nameof(method));
        var type = (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => GrpcMethodType.Unary,
            (true, false) => GrpcMethodType.ClientStreaming,
            (false, true) => GrpcMethodType.ServerStreaming,
            (true, true) => GrpcMethodType.DuplexStreaming,
        };
        return new GrpcMethod<TRequest, TResponse>(type, method.Service.FullName, method.Name, Marshaller<TRequest>(), Marshaller<TResponse>());
    }
}
