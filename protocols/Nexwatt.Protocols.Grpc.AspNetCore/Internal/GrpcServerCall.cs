using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using System.IO.Pipelines;
using Nexwatt.Protocols.Grpc.Internal;

namespace Nexwatt.Protocols.Grpc.AspNetCore.Internal;

/// <summary>
/// The server side of one call (PROTOCOL-HTTP2.md, Responses): response headers (":status 200", content-type,
/// grpc-encoding) before the first message, length-prefixed messages, then trailers with grpc-status and
/// grpc-message; or Trailers-Only (status in the one HEADERS frame) when nothing was sent yet.
/// </summary>
internal sealed class GrpcServerCall : IDisposable
{
    private readonly GrpcServerOptions _options;
    private readonly CancellationTokenSource _cts;
    private readonly ITimer? _deadlineTimer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private int _writing;
    private bool _headersSent;
    private bool _completed;

    public GrpcServerCall(HttpContext httpContext, string methodPath, GrpcServerOptions options, ILogger logger,
        GrpcCompression requestEncoding, GrpcCompression responseEncoding, TimeSpan? timeout)
    {
        HttpContext = httpContext;
        MethodPath = methodPath;
        _options = options;
        Logger = logger;
        RequestEncoding = requestEncoding;
        ResponseEncoding = responseEncoding;
        foreach (var (key, values) in httpContext.Request.Headers)
            if (!GrpcMetadata.IsReserved(key) && key is not ("user-agent" or "accept-encoding" or "content-length"))
                foreach (var value in values) if (value is not null) RequestHeaders.AddReceived(key, value);
        _cts = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
        if (timeout is { } span)
        {
            Deadline = options.TimeProvider.GetUtcNow() + span;
            var due = span < TimeSpan.FromDays(45) ? span : TimeSpan.FromDays(45);
            _deadlineTimer = options.TimeProvider.CreateTimer(static state => ((GrpcServerCall)state!).OnDeadline(), this, due, Timeout.InfiniteTimeSpan);
        }
        Context = new GrpcServerCallContext(this);
    }

    public HttpContext HttpContext { get; }

    public string MethodPath { get; }

    public ILogger Logger { get; }

    public GrpcServerCallContext Context { get; }

    public GrpcCompression RequestEncoding { get; }

    public GrpcCompression ResponseEncoding { get; }

    public DateTimeOffset? Deadline { get; }

    public bool DeadlineExceeded { get; private set; }

    public CancellationToken CancellationToken => _cts.Token;

    public GrpcMetadata RequestHeaders { get; } = new();

    public GrpcMetadata ResponseHeaders { get; } = new();

    public GrpcMetadata ResponseTrailers { get; } = new();

    public GrpcStatusCode Status { get; private set; } = GrpcStatusCode.OK;

    public string StatusMessage { get; private set; } = "";

    public GrpcMessageReader CreateReader() => new(HttpContext.Request.BodyReader, _options.MaxReceiveMessageSize, RequestEncoding);

    /// <summary>Reads a request message; a read that fails because the call is canceled (reset, deadline) is an <see cref="OperationCanceledException"/>.</summary>
    public async ValueTask<(bool HasMessage, T Message)> ReadAsync<T>(GrpcMessageReader reader, GrpcMarshaller<T> marshaller, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(marshaller, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not GrpcException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The call was canceled (client reset or deadline).", ex, cancellationToken);
        }
        catch (GrpcException ex)
        {
            await ReportRefusalAsync(ex).ConfigureAwait(false);
            throw;
        }
    }

    private bool _refusalReported;

    /// <summary>Tells <see cref="GrpcServerOptions.OnRequestMessageRefused"/> (once per call) that a request message was refused.</summary>
    public async Task<GrpcException> ReportRefusalAsync(GrpcException refusal)
    {
        if (_options.OnRequestMessageRefused is not { } refused || _refusalReported) return refusal;
        _refusalReported = true;
        try { await refused(Context, refusal).ConfigureAwait(false); }
        catch (Exception hook) { GrpcServerLog.HandlerFailed(Logger, MethodPath, hook); }
        return refusal;
    }

    public void SetStatus(GrpcStatusCode status, string? message)
    {
        Status = status;
        StatusMessage = message ?? "";
    }

    public async Task WriteResponseHeadersAsync()
    {
        await _writeLock.WaitAsync(CancellationToken).ConfigureAwait(false);
        try
        {
            if (_completed) throw new InvalidOperationException("The call is already complete.");
            PrepareHeaders();
            await HttpContext.Response.Body.FlushAsync(CancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask WriteMessageAsync<T>(T message, GrpcMarshaller<T> marshaller, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _writing, 1) == 1)
            throw new InvalidOperationException("A write is already in progress; await each WriteAsync before the next.");
        try
        {
            var frame = GrpcMessageFramer.Frame(message, marshaller, ResponseEncoding, _options.MaxSendMessageSize, _options.ResponseCompressionLevel);
            using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(CancellationToken, cancellationToken) : null;
            var token = linked?.Token ?? CancellationToken;
            await _writeLock.WaitAsync(token).ConfigureAwait(false);
            try
            {
                if (_completed) throw new InvalidOperationException("The call is already complete.");
                token.ThrowIfCancellationRequested();
                PrepareHeaders();
                FlushResult result;
                try
                {
                    result = await HttpContext.Response.BodyWriter.WriteAsync(frame, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException && token.IsCancellationRequested)
                {
                    throw new OperationCanceledException("The call was canceled (client reset or deadline).", ex, token);
                }
                if (result.IsCanceled || result.IsCompleted)
                    throw new OperationCanceledException("The client is gone; the message was not sent.", token);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    /// <summary>Ends the call with a status: trailers after messages, or Trailers-Only when nothing was sent.</summary>
    public async Task CompleteAsync(GrpcStatusCode status, string? message)
    {
        await _writeLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_completed) return;
            _completed = true;
            _deadlineTimer?.Dispose();
            var response = HttpContext.Response;
            if (HttpContext.RequestAborted.IsCancellationRequested) return; // reset by the client: nothing can be sent
            var statusText = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!_headersSent && !response.HasStarted)
            {
                PrepareHeaders();
                response.Headers[GrpcProtocol.StatusHeader] = statusText;
                if (!string.IsNullOrEmpty(message)) response.Headers[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(message);
                foreach (var (key, value) in ResponseTrailers) response.Headers.Append(key, value);
                // Trailers-Only: no body and no trailers, so Kestrel ends the stream on this one HEADERS frame.
                return;
            }
            if (!response.SupportsTrailers())
            {
                GrpcServerLog.TrailersNotSupported(Logger, MethodPath);
                HttpContext.Features.Get<IHttpResetFeature>()?.Reset(2); // INTERNAL_ERROR: the status cannot be delivered
                return;
            }
            response.AppendTrailer(GrpcProtocol.StatusHeader, statusText);
            if (!string.IsNullOrEmpty(message)) response.AppendTrailer(GrpcProtocol.MessageHeader, PercentEncoding.Encode(message));
            foreach (var (key, value) in ResponseTrailers) response.AppendTrailer(key, value);
            await response.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void PrepareHeaders()
    {
        if (_headersSent) return;
        _headersSent = true;
        var response = HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        if (ResponseEncoding == GrpcCompression.Gzip) response.Headers[GrpcProtocol.EncodingHeader] = GrpcProtocol.Gzip;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
        foreach (var (key, value) in ResponseHeaders) response.Headers.Append(key, new StringValues(value));
    }

    private void OnDeadline()
    {
        DeadlineExceeded = true;
        GrpcServerLog.DeadlineExceeded(Logger, MethodPath);
        try { _cts.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _deadlineTimer?.Dispose();
        _cts.Dispose();
        _writeLock.Dispose();
    }
}
