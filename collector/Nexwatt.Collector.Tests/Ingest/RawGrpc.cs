using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace Nexwatt.Collector.Tests.Ingest;

/// <summary>Hand-made gRPC requests (any bytes as the body) over HTTP/2 prior knowledge, for hostile-client tests.</summary>
internal sealed class RawGrpc(int port) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>One length-prefixed message (compressed flag as given).</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload, bool compressed = false, int? declaredLength = null)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)(declaredLength ?? payload.Length));
        payload.CopyTo(frame.AsSpan(5));
        return frame;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize)) gzip.Write(data);
        return output.ToArray();
    }

    /// <summary>
    /// Sends <paramref name="body"/> to the method and returns its grpc-status (headers or trailers); -1 when the call
    /// is still open after <paramref name="openFor"/> (a valid setpoint stream request), which then resets it.
    /// </summary>
    public async Task<int> CallAsync(string path, string? token, byte[] body, bool gzip = false, TimeSpan? openFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{port}{path}"))
        {
            Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.ParseAdd("trailers");
        if (gzip) request.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // The setpoint stream stays open after a valid request (its headers come with the first setpoint): wait for
        // what comes, then give up on it.
        using var cts = new CancellationTokenSource(openFor ?? TimeSpan.FromSeconds(20));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            if (response.Headers.TryGetValues("grpc-status", out var early)) return int.Parse(early.Single());
            await response.Content.CopyToAsync(Stream.Null, cts.Token);
            return response.TrailingHeaders.TryGetValues("grpc-status", out var late) ? int.Parse(late.Single()) : -2;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return -1;
        }
    }

    public void Dispose() => _http.Dispose();
}
