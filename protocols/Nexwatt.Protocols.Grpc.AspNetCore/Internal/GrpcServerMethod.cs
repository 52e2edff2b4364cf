using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using Nexwatt.Protocols.Grpc.Internal;

namespace Nexwatt.Protocols.Grpc.AspNetCore.Internal;

/// <summary>
/// The request pipeline of one mapped method: protocol checks, encodings, deadline, reading requests,
/// running the handler, and turning its outcome into a status.
/// </summary>
internal sealed class GrpcServerMethod<TRequest, TResponse>(
    GrpcMethod<TRequest, TResponse> method,
    GrpcServerOptions options,
    ILogger logger,
    Func<GrpcServerMethod<TRequest, TResponse>, GrpcServerCall, Task> invoke)
{
    public GrpcMethod<TRequest, TResponse> Method => method;

    public async Task HandleAsync(HttpContext httpContext)
    {
        if (!await AdmitAsync(httpContext).ConfigureAwait(false)) return;
        var request = httpContext.Request;
        GrpcProtocol.TryParseEncoding(request.Headers[GrpcProtocol.EncodingHeader], out var requestEncoding);
        var responseEncoding = options.ResponseCompression == GrpcCompression.Gzip && GrpcProtocol.Accepts(request.Headers[GrpcProtocol.AcceptEncodingHeader], GrpcProtocol.Gzip)
            ? GrpcCompression.Gzip : GrpcCompression.None;
        TimeSpan? timeout = null;
        if (request.Headers[GrpcProtocol.TimeoutHeader].ToString() is { Length: > 0 } timeoutText)
        {
            if (GrpcTimeoutCodec.TryParse(timeoutText, out var parsed)) timeout = parsed;
            else GrpcServerLog.InvalidTimeout(logger, method.Path, timeoutText);
        }
        using var call = new GrpcServerCall(httpContext, method.Path, options, logger, requestEncoding, responseEncoding, timeout);
        GrpcStatusCode status;
        string? message;
        try
        {
            await invoke(this, call).ConfigureAwait(false);
            (status, message) = call.DeadlineExceeded ? (GrpcStatusCode.DeadlineExceeded, "Deadline exceeded.") : (call.Status, call.StatusMessage);
        }
        catch (GrpcException ex) when (!call.DeadlineExceeded || ex.StatusCode != GrpcStatusCode.Cancelled)
        {
            (status, message) = (ex.StatusCode, ex.StatusMessage);
            foreach (var (key, value) in ex.Trailers) call.ResponseTrailers.AddReceived(key, value);
        }
        catch (Exception) when (call.DeadlineExceeded)
        {
            (status, message) = (GrpcStatusCode.DeadlineExceeded, "Deadline exceeded.");
        }
        catch (Exception) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            GrpcServerLog.ClientGone(logger, method.Path);
            return;
        }
        catch (Exception ex)
        {
            GrpcServerLog.HandlerFailed(logger, method.Path, ex);
            (status, message) = (GrpcStatusCode.Unknown, options.IncludeExceptionDetails ? $"Exception was thrown by handler. {ex.GetType().Name}: {ex.Message}" : "Exception was thrown by handler.");
        }
        GrpcServerLog.CallEnded(logger, method.Path, status, message ?? "");
        try
        {
            await call.CompleteAsync(status, message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            GrpcServerLog.ClientGone(logger, method.Path);
        }
    }

    /// <summary>Reads the single request of a unary or server-streaming call: exactly one message, then the end of the stream.</summary>
    public async Task<TRequest> ReadSingleRequestAsync(GrpcServerCall call)
    {
        var reader = call.CreateReader();
        var (hasMessage, message) = await call.ReadAsync(reader, method.RequestMarshaller, call.CancellationToken).ConfigureAwait(false);
        if (!hasMessage) throw await call.ReportRefusalAsync(new GrpcException(GrpcStatusCode.Internal, "The request ended without a message.")).ConfigureAwait(false);
        var (more, _) = await call.ReadAsync(reader, method.RequestMarshaller, call.CancellationToken).ConfigureAwait(false);
        if (more) throw await call.ReportRefusalAsync(new GrpcException(GrpcStatusCode.Internal, "More than one request message for a single-request method.")).ConfigureAwait(false);
        return message;
    }

    /// <summary>The request messages of a client-streaming or duplex call.</summary>
    public async IAsyncEnumerable<TRequest> ReadRequestsAsync(GrpcServerCall call, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = call.CreateReader();
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(call.CancellationToken, cancellationToken) : null;
        var token = linked?.Token ?? call.CancellationToken;
        while (true)
        {
            var (hasMessage, message) = await call.ReadAsync(reader, method.RequestMarshaller, token).ConfigureAwait(false);
            if (!hasMessage) yield break;
            yield return message;
        }
    }

    /// <summary>Refuses what is not a gRPC call for this method; true when the call may proceed.</summary>
    private async Task<bool> AdmitAsync(HttpContext httpContext)
    {
        var request = httpContext.Request;
        var response = httpContext.Response;
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            GrpcServerLog.Refused(logger, method.Path, $"{request.Protocol} is not HTTP/2");
            response.StatusCode = StatusCodes.Status426UpgradeRequired;
            response.Headers.Upgrade = "h2";
            return false;
        }
        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            // PROTOCOL-HTTP2.md: 415, so that a non-gRPC client never mistakes an error for success.
            GrpcServerLog.Refused(logger, method.Path, $"content-type '{request.ContentType}'");
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return false;
        }
        // A long-lived stream carries more than Kestrel's 30 MB body default and may sit idle between messages.
        if (httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
        if (httpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate) rate.MinDataRate = null;
        string? refusal = null;
        var status = GrpcStatusCode.OK;
        if (!string.Equals(request.Path.Value, method.Path, StringComparison.Ordinal))
            (status, refusal) = (GrpcStatusCode.Unimplemented, $"Method {request.Path.Value} is unimplemented (paths are case-sensitive).");
        else if (!GrpcProtocol.TryParseEncoding(request.Headers[GrpcProtocol.EncodingHeader], out _))
            (status, refusal) = (GrpcStatusCode.Unimplemented, $"grpc-encoding '{request.Headers[GrpcProtocol.EncodingHeader]}' is not supported; use one of {GrpcProtocol.SupportedEncodings}.");
        if (refusal is null) return true;
        GrpcServerLog.Refused(logger, method.Path, refusal);
        await WriteTrailersOnlyAsync(httpContext, status, refusal).ConfigureAwait(false);
        return false;
    }

    /// <summary>A Trailers-Only response for a call refused before any handler ran.</summary>
    public static Task WriteTrailersOnlyAsync(HttpContext httpContext, GrpcStatusCode status, string message)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
        response.Headers[GrpcProtocol.StatusHeader] = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(message);
        return Task.CompletedTask;
    }
}
