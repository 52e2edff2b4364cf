using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Nexwatt.Protocols.Grpc.Internal;

namespace Nexwatt.Protocols.Grpc.Client;

/// <summary>The request side of a call, as the public stream types see it.</summary>
internal interface IGrpcRequestSink<in T>
{
    ValueTask WriteAsync(T message, CancellationToken cancellationToken);

    Task CompleteAsync();
}

/// <summary>The response side of a call, as the public stream types see it.</summary>
internal interface IGrpcResponseSource<T>
{
    ValueTask<(bool HasMessage, T Message)> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>
/// One call on HttpClient: request headers (te, content-type, grpc-timeout, grpc-encoding, metadata), a streaming
/// request body, the response as headers + messages + trailers or Trailers-Only, and every failure normalized
/// to a <see cref="GrpcException"/> (or <see cref="OperationCanceledException"/> for the caller's cancellation).
/// Disposing a call that has not finished resets its HTTP/2 stream (RST_STREAM CANCEL).
/// </summary>
internal sealed class GrpcCall<TRequest, TResponse> : IGrpcRequestSink<TRequest>, IGrpcResponseSource<TResponse>, IAsyncDisposable
{
    private readonly GrpcClient _client;
    private readonly GrpcMethod<TRequest, TResponse> _method;
    private readonly GrpcCallOptions _options;
    private readonly GrpcCompression _requestCompression;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource _cts = new();
    private readonly GrpcRequestContent _content = new();
    private readonly TaskCompletionSource<GrpcMetadata> _responseHeaders = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private CancellationTokenRegistration _callerRegistration;
    private ITimer? _deadlineTimer;
    private Task _sendTask = Task.CompletedTask;
    private HttpResponseMessage? _response;
    private GrpcMessageReader? _reader;
    private GrpcStatusCode? _trailersOnlyStatus;
    private string? _trailersOnlyMessage;
    private volatile bool _deadlineExceeded;
    private volatile bool _canceledByCaller;
    private CancellationToken _cancelingToken;
    private volatile bool _finished;
    private GrpcException? _failure;
    private int _writing;
    private bool _requestCompleted;

    public GrpcCall(GrpcClient client, GrpcMethod<TRequest, TResponse> method, GrpcCallOptions? options, CancellationToken cancellationToken)
    {
        _client = client;
        _method = method;
        _options = options ?? new GrpcCallOptions();
        _requestCompression = _options.RequestCompression ?? client.Options.RequestCompression;
        _callerToken = cancellationToken;
    }

    /// <summary>The trailers, once the response ended (empty before, and for a Trailers-Only response's custom metadata).</summary>
    public GrpcMetadata Trailers { get; } = new();

    public Task<GrpcMetadata> ResponseHeadersAsync => _responseHeaders.Task;

    public void Start()
    {
        if (_callerToken.IsCancellationRequested)
        {
            _canceledByCaller = true;
            _cancelingToken = _callerToken;
            Fail(new OperationCanceledException(_callerToken));
            return;
        }
        TimeSpan? timeout = null;
        if (_options.Deadline is { } deadline)
        {
            var remaining = deadline - _client.Options.TimeProvider.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                _deadlineExceeded = true;
                Fail(new GrpcException(GrpcStatusCode.DeadlineExceeded, "Deadline exceeded before the call started."));
                return;
            }
            timeout = remaining;
            // Timers take at most ~49 days; a longer deadline is still sent in full as grpc-timeout.
            var due = remaining < TimeSpan.FromDays(45) ? remaining : TimeSpan.FromDays(45);
            _deadlineTimer = _client.Options.TimeProvider.CreateTimer(static state => ((GrpcCall<TRequest, TResponse>)state!).OnDeadline(), this, due, Timeout.InfiniteTimeSpan);
        }
        if (_callerToken.CanBeCanceled)
            _callerRegistration = _callerToken.UnsafeRegister(static state => ((GrpcCall<TRequest, TResponse>)state!).CancelByCaller(((GrpcCall<TRequest, TResponse>)state!)._callerToken), this);
        var request = BuildRequest(timeout);
        GrpcClientLog.CallStarting(_client.Logger, _method.Path, request.Headers.TryGetValues(GrpcProtocol.TimeoutHeader, out var t) ? t.First() : "none");
        _sendTask = SendAsync(request);
    }

    private HttpRequestMessage BuildRequest(TimeSpan? timeout)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_client.Address, _method.Path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = _content,
        };
        var headers = request.Headers;
        headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (timeout is { } remaining) headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeoutCodec.Format(remaining));
        if (_requestCompression == GrpcCompression.Gzip) headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, GrpcProtocol.Gzip);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        headers.TryAddWithoutValidation("user-agent", _client.Options.UserAgent);
        if (_options.Headers is { } metadata)
            foreach (var (key, value) in metadata) headers.TryAddWithoutValidation(key, value);
        return request;
    }

    private async Task SendAsync(HttpRequestMessage request)
    {
        try
        {
            var response = await _client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _cts.Token).ConfigureAwait(false);
            lock (_gate)
            {
                if (_finished) { response.Dispose(); return; }
                _response = response;
            }
            await AcceptResponseAsync(response).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private async Task AcceptResponseAsync(HttpResponseMessage response)
    {
        var headers = new GrpcMetadata();
        foreach (var (key, values) in response.Headers)
            if (!GrpcMetadata.IsReserved(key))
                foreach (var value in values) headers.AddReceived(key, value);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new GrpcException(HttpStatusMapping.ToGrpcStatus(response.StatusCode), $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}.");
        if (Single(response.Headers, GrpcProtocol.StatusHeader) is { } statusText)
        {
            // Trailers-Only: the status travels in the one HEADERS frame; there is no body.
            _trailersOnlyStatus = GrpcProtocol.ParseStatus(statusText) ?? GrpcStatusCode.Unknown;
            _trailersOnlyMessage = Single(response.Headers, GrpcProtocol.MessageHeader) is { } m ? PercentEncoding.Decode(m) : null;
            foreach (var entry in headers) Trailers.AddReceived(entry.Key, entry.Value);
            _responseHeaders.TrySetResult(new GrpcMetadata());
            return;
        }
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
            throw new GrpcException(GrpcStatusCode.Unknown, $"Bad gRPC response. Invalid content-type value: {contentType ?? "(none)"}.");
        var encodingText = Single(response.Headers, GrpcProtocol.EncodingHeader);
        if (!GrpcProtocol.TryParseEncoding(encodingText, out var encoding))
            throw new GrpcException(GrpcStatusCode.Internal, $"The server used grpc-encoding '{encodingText}', which this client does not accept.");
        var body = await response.Content.ReadAsStreamAsync(_cts.Token).ConfigureAwait(false);
        _reader = new GrpcMessageReader(PipeReader.Create(body), _client.Options.MaxReceiveMessageSize, encoding);
        _responseHeaders.TrySetResult(headers);
    }

    public async ValueTask WriteAsync(TRequest message, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _writing, 1) == 1)
            throw new InvalidOperationException("A write is already in progress; await each WriteAsync before the next.");
        try
        {
            if (_requestCompleted) throw new InvalidOperationException("The request stream is already completed.");
            ThrowIfFinished();
            var frame = GrpcMessageFramer.Frame(message, _method.RequestMarshaller, _requestCompression, _client.Options.MaxSendMessageSize);
            using var registration = Register(cancellationToken);
            try
            {
                var stream = await _content.StreamAsync.WaitAsync(_cts.Token).ConfigureAwait(false);
                await stream.WriteAsync(frame, _cts.Token).ConfigureAwait(false);
                await stream.FlushAsync(_cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The reason is local (deadline, cancel, earlier failure) or the request side closed: the server
                // may have ended the call, and then its status arrives on the response side.
                if (NormalizeLocal(ex) is { } local) throw local;
                if (ex is GrpcException) throw;
                throw new GrpcException(GrpcStatusCode.Unavailable, "The request stream closed before the message was sent; read the response for the call's status.", ex);
            }
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    public Task CompleteAsync()
    {
        _requestCompleted = true;
        _content.Complete();
        return Task.CompletedTask;
    }

    public async ValueTask<(bool HasMessage, TResponse Message)> ReadAsync(CancellationToken cancellationToken)
    {
        if (_finished && _failure is null) return (false, default!);
        ThrowIfFinished();
        using var registration = Register(cancellationToken);
        try
        {
            await _sendTask.ConfigureAwait(false);
            ThrowIfFinished();
            if (_trailersOnlyStatus is { } trailersOnly)
            {
                Finish(trailersOnly, _trailersOnlyMessage);
                return (false, default!);
            }
            var (hasMessage, message) = await _reader!.ReadAsync(_method.ResponseMarshaller, _cts.Token).ConfigureAwait(false);
            if (hasMessage) return (true, message);
            var trailers = _response!.TrailingHeaders;
            foreach (var (key, values) in trailers)
                if (!GrpcMetadata.IsReserved(key))
                    foreach (var value in values) Trailers.AddReceived(key, value);
            var status = Single(trailers, GrpcProtocol.StatusHeader) is { } text
                ? GrpcProtocol.ParseStatus(text) ?? GrpcStatusCode.Unknown
                : (GrpcStatusCode?)null;
            if (status is null) throw new GrpcException(GrpcStatusCode.Internal, "The response ended without a grpc-status trailer.");
            Finish(status.Value, Single(trailers, GrpcProtocol.MessageHeader) is { } m ? PercentEncoding.Decode(m) : null);
            return (false, default!);
        }
        catch (Exception ex)
        {
            throw Fail(ex);
        }
    }

    private void Finish(GrpcStatusCode status, string? message)
    {
        if (status == GrpcStatusCode.OK)
        {
            lock (_gate) _finished = true;
            GrpcClientLog.CallFinished(_client.Logger, _method.Path, status, message ?? "");
            Cleanup(resetStream: false);
            return;
        }
        throw new GrpcException(status, message, Trailers);
    }

    /// <summary>Records the call's failure once (normalized), releases everything, and returns what to throw.</summary>
    private Exception Fail(Exception exception)
    {
        var normalized = Normalize(exception);
        lock (_gate)
        {
            if (_finished) return normalized;
            _finished = true;
            _failure = normalized as GrpcException ?? new GrpcException(GrpcStatusCode.Cancelled, "The call was canceled.");
        }
        if (normalized is GrpcException g) GrpcClientLog.CallFailed(_client.Logger, _method.Path, g.StatusCode, g.StatusMessage);
        else GrpcClientLog.CallCanceled(_client.Logger, _method.Path);
        _responseHeaders.TrySetException(normalized);
        _responseHeaders.Task.Exception?.Handle(_ => true);
        Cleanup(resetStream: true);
        return normalized;
    }

    private void Cleanup(bool resetStream)
    {
        _deadlineTimer?.Dispose();
        _callerRegistration.Dispose();
        _content.Abort(_failure ?? new GrpcException(GrpcStatusCode.Cancelled, "The call is over."));
        if (resetStream) _cts.Cancel();
        // Disposing an unfinished response resets the HTTP/2 stream (RST_STREAM CANCEL).
        _response?.Dispose();
    }

    private void ThrowIfFinished()
    {
        if (!_finished) return;
        if (_canceledByCaller) throw new OperationCanceledException(_cancelingToken);
        if (_failure is { } failure) throw failure;
        throw new InvalidOperationException("The call has already finished.");
    }

    private Exception Normalize(Exception exception)
        => NormalizeLocal(exception) ?? exception switch
        {
            GrpcException g => g,
            _ when FindProtocolError(exception) is { } code => code switch
            {
                0x8 => new GrpcException(GrpcStatusCode.Cancelled, "The server canceled the call (RST_STREAM CANCEL).", exception),
                0x7 => new GrpcException(GrpcStatusCode.Unavailable, "The server refused the stream (REFUSED_STREAM).", exception),
                0xB => new GrpcException(GrpcStatusCode.ResourceExhausted, "The server asked to slow down (ENHANCE_YOUR_CALM).", exception),
                0xC => new GrpcException(GrpcStatusCode.PermissionDenied, "Inadequate security (INADEQUATE_SECURITY).", exception),
                _ => new GrpcException(GrpcStatusCode.Internal, $"HTTP/2 stream error 0x{code:X}.", exception),
            },
            HttpRequestException or IOException => new GrpcException(GrpcStatusCode.Unavailable, "Error talking to the server: " + exception.Message, exception),
            // Neither the caller nor the deadline canceled: HttpClient cancels the request body when the connection dies
            // (e.g. a TLS 1.3 server refusing the client certificate after the handshake).
            OperationCanceledException => new GrpcException(GrpcStatusCode.Unavailable, "The connection closed before the call ended.", exception),
            _ => new GrpcException(GrpcStatusCode.Internal, "Unexpected error in the call: " + exception.Message, exception),
        };

    /// <summary>A failure whose cause is on this side: the deadline, the caller's cancellation, or an earlier failure.</summary>
    private Exception? NormalizeLocal(Exception exception)
    {
        if (_deadlineExceeded) return _failure?.StatusCode == GrpcStatusCode.DeadlineExceeded ? _failure : new GrpcException(GrpcStatusCode.DeadlineExceeded, "Deadline exceeded.", exception);
        if (_canceledByCaller) return new OperationCanceledException("The call was canceled.", exception, _cancelingToken);
        if (_finished && _failure is { } failure && exception is not GrpcException) return failure;
        return null;
    }

    private static long? FindProtocolError(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is HttpProtocolException protocol) return protocol.ErrorCode;
        return null;
    }

    private CancellationTokenRegistration Register(CancellationToken cancellationToken)
        => cancellationToken.CanBeCanceled && cancellationToken != _callerToken
            ? cancellationToken.UnsafeRegister(static (state, token) => ((GrpcCall<TRequest, TResponse>)state!).CancelByCaller(token), this)
            : default;

    private void CancelByCaller(CancellationToken token)
    {
        if (_finished) return;
        _canceledByCaller = true;
        _cancelingToken = token;
        Fail(new OperationCanceledException(token));
    }

    private void OnDeadline()
    {
        if (_finished) return;
        _deadlineExceeded = true;
        Fail(new GrpcException(GrpcStatusCode.DeadlineExceeded, "Deadline exceeded."));
    }

    private static string? Single(HttpHeaders headers, string name)
        => headers.NonValidated.TryGetValues(name, out var values) && values.Count > 0 ? values.First() : null;

    /// <summary>Fails the call with a local error (e.g. a request over the send limit), resetting the stream.</summary>
    public ValueTask FailAsync(GrpcException exception)
    {
        Fail(exception);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            Fail(new GrpcException(GrpcStatusCode.Cancelled, "The call was disposed before it finished."));
        }
        return ValueTask.CompletedTask;
    }
}
