using Google.Protobuf;
using Grpc.Core;

namespace Nexwatt.Collector.GrpcHosting;

/// <summary>
/// The methods of a service generated from protos/ (captured from its generated BindService, so each is declared once,
/// in the .proto), bound with a request deserializer that refuses a malformed message with Internal "Failed to
/// deserialize ...": grpc-dotnet itself would end the call with Unknown, as if the service had crashed, and log an
/// error with a stack trace for every such message a broken or hostile client sends.
/// </summary>
internal sealed class GeneratedMethods : ServiceBinderBase
{
    private readonly Dictionary<string, IMethod> _methods = new(StringComparer.Ordinal);

    private GeneratedMethods()
    {
    }

    /// <summary>The methods <paramref name="bind"/> declares, e.g. <c>b => TelemetryIngest.BindService(b, null)</c>.</summary>
    public static GeneratedMethods Of(Action<ServiceBinderBase> bind)
    {
        var methods = new GeneratedMethods();
        bind(methods);
        return methods;
    }

    /// <summary>The method called <paramref name="name"/>, with the refusing request deserializer.</summary>
    public Method<TRequest, TResponse> Refusing<TRequest, TResponse>(string name) where TRequest : class where TResponse : class
    {
        var method = _methods.TryGetValue(name, out var found) && found is Method<TRequest, TResponse> typed
            ? typed
            : throw new InvalidOperationException($"The generated service declares no method {name}({typeof(TRequest).Name}) returns {typeof(TResponse).Name}.");
        var inner = method.RequestMarshaller.ContextualDeserializer;
        var requests = Marshallers.Create(method.RequestMarshaller.ContextualSerializer, context =>
        {
            try
            {
                return inner(context);
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new RpcException(new Status(StatusCode.Internal, $"Failed to deserialize the request message: {ex.Message}"));
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, requests, method.ResponseMarshaller);
    }

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) => _methods[method.Name] = method;

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) => _methods[method.Name] = method;

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) => _methods[method.Name] = method;

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) => _methods[method.Name] = method;
}
