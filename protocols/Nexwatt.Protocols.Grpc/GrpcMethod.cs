namespace Nexwatt.Protocols.Grpc;

/// <summary>
/// One method of a service: its shape, its path (":path /package.Service/Method", case-sensitive) and how its
/// messages are (de)serialized. Build it from the .proto contract with <see cref="ProtobufGrpc.Method{TRequest, TResponse}"/>.
/// </summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class GrpcMethod<TRequest, TResponse>
{
    /// <summary>Creates a method description.</summary>
    /// <param name="type">The call shape.</param>
    /// <param name="serviceName">The fully qualified service name, e.g. "nexwatt.v1.TelemetryIngest".</param>
    /// <param name="name">The method name, e.g. "Upload".</param>
    /// <param name="requestMarshaller">How requests are (de)serialized.</param>
    /// <param name="responseMarshaller">How responses are (de)serialized.</param>
    public GrpcMethod(GrpcMethodType type, string serviceName, string name, GrpcMarshaller<TRequest> requestMarshaller, GrpcMarshaller<TResponse> responseMarshaller)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (serviceName.Contains('/', StringComparison.Ordinal) || name.Contains('/', StringComparison.Ordinal))
            throw new ArgumentException("Service and method names must not contain '/'.");
        Type = type;
        ServiceName = serviceName;
        Name = name;
        Path = "/" + serviceName + "/" + name;
        RequestMarshaller = requestMarshaller ?? throw new ArgumentNullException(nameof(requestMarshaller));
        ResponseMarshaller = responseMarshaller ?? throw new ArgumentNullException(nameof(responseMarshaller));
    }

    /// <summary>The call shape.</summary>
    public GrpcMethodType Type { get; }

    /// <summary>The fully qualified service name.</summary>
    public string ServiceName { get; }

    /// <summary>The method name.</summary>
    public string Name { get; }

    /// <summary>"/" + service + "/" + method: the HTTP/2 :path of every call.</summary>
    public string Path { get; }

    /// <summary>How requests are (de)serialized.</summary>
    public GrpcMarshaller<TRequest> RequestMarshaller { get; }

    /// <summary>How responses are (de)serialized.</summary>
    public GrpcMarshaller<TResponse> ResponseMarshaller { get; }

    /// <inheritdoc />
    public override string ToString() => Path;
}
