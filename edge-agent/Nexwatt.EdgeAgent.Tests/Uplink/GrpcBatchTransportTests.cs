using Grpc.Core;
using Nexwatt.EdgeAgent.Uplink;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Tests.Uplink;

/// <summary>How the upload transport fails: always as a status the uplink retries on, never as a raw transport exception.</summary>
public sealed class GrpcBatchTransportTests
{
    [Fact]
    public async Task A_connection_reset_under_a_write_fails_the_send_as_unavailable_which_the_uplink_retries()
    {
        // grpc-dotnet passes a reset connection's IOException through RequestStream.WriteAsync as it is.
        var responses = new Responses();
        using var call = new AsyncDuplexStreamingCall<TelemetryBatch, UploadAck>(new ResetWriter(), responses,
            Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => responses.End());
        await using var transport = new GrpcBatchTransport(call, CancellationToken.None);

        var failure = await Assert.ThrowsAsync<RpcException>(() => transport.SendAsync(new TelemetryBatch { FirstSequence = 1, LastSequence = 1 }, CancellationToken.None).AsTask());

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.True(GrpcRetry.IsTransient(GrpcRetry.StatusOf(failure)));
        Assert.Contains("Connection reset by peer", failure.Status.Detail);
    }

    private sealed class ResetWriter : IClientStreamWriter<TelemetryBatch>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(TelemetryBatch message) => throw new IOException("Unable to read data from the transport connection: Connection reset by peer.");

        public Task CompleteAsync() => Task.CompletedTask;
    }

    /// <summary>A response stream that stays open until the call is disposed.</summary>
    private sealed class Responses : IAsyncStreamReader<UploadAck>
    {
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public UploadAck Current => throw new InvalidOperationException("no ack");

        public void End() => _ended.TrySetResult();

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            await _ended.Task.WaitAsync(cancellationToken);
            return false;
        }
    }
}
