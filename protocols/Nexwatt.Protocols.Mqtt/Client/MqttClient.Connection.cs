using System.IO.Pipelines;
using System.Threading.Channels;
using Nexwatt.Protocols.Mqtt.Client;
using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt;

public sealed partial class MqttClient
{
    /// <summary>A packet queued for the writer loop; <see cref="Written"/> (if any) completes once it is on the wire.</summary>
    private readonly record struct Outgoing(MqttPacket Packet, TaskCompletionSource? Written);

    /// <summary>
    /// The state of one network connection. It breaks exactly once (<see cref="TryBreak"/>); after that nothing is
    /// written, everything waiting for an acknowledgement fails and the session loop opens a new connection.
    /// </summary>
    private sealed class Connection
    {
        private int _broken;

        public Connection(Stream stream, long now)
        {
            Stream = stream;
            Reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true));
            LastReceived = now;
            LastSent = now;
            LastPingQueued = now;
        }

        public Stream Stream { get; }
        public PipeReader Reader { get; }

        // Unbounded on purpose: QoS 1 publishes are bounded by the in-flight window, every QoS 0 publish, SUBSCRIBE and
        // DISCONNECT has a caller awaiting it, and PUBACK / PINGREQ are bounded by what the broker sends.
        public Channel<Outgoing> Outgoing { get; } = System.Threading.Channels.Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
        public MqttPacketDispatcher Dispatcher { get; } = new();
        /// <summary>PUBACKs owed in manual acknowledgement mode (null when the client acknowledges by itself).</summary>
        public InboundAcknowledgements? Acknowledgements { get; set; }
        public CancellationTokenSource Closing { get; } = new();
        public TaskCompletionSource<Exception> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ITimer? KeepAliveTimer { get; set; }
        public TimeSpan KeepAlive { get; set; }
        public uint? MaximumPacketSize { get; set; }
        public bool SessionPresent { get; set; }
        public volatile bool IsEstablished;
        public volatile bool DeliveryStalled;
        public bool RaisedConnected;
        public bool Clean;
        public long LastReceived;
        public long LastSent;
        public long LastPingQueued;
        public Task? WriterLoop;
        public Task? ReaderLoop;
        public Exception? Failure { get; private set; }

        public bool IsBroken => Volatile.Read(ref _broken) != 0;

        public bool TryEnqueue(Outgoing item) => Outgoing.Writer.TryWrite(item);

        public bool TryBreak(Exception reason)
        {
            if (Interlocked.Exchange(ref _broken, 1) != 0) return false;
            Failure = reason;
            return true;
        }
    }

    /// <summary>Breaks <paramref name="connection"/> once: stops its loops, closes the stream, fails what waits on it.</summary>
    private void Break(Connection connection, Exception reason, bool clean)
    {
        if (!connection.TryBreak(reason)) return;
        connection.Clean = clean;
        lock (_gate)
        {
            if (connection.IsEstablished && ReferenceEquals(_connection, connection)) SetDisconnectedLocked();
        }
        // Before the writer closes: an acknowledgement racing with the break is dropped, never queued for a dead writer.
        connection.Acknowledgements?.Close();
        connection.Outgoing.Writer.TryComplete();
        connection.KeepAliveTimer?.Dispose();
        try { connection.Closing.Cancel(); }
        catch (AggregateException) { }
        // Closing the socket without DISCONNECT is what makes the broker publish the will.
        try { connection.Stream.Dispose(); }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException) { }
        var lost = reason as MqttConnectionLostException
            ?? new MqttConnectionLostException($"The connection to the MQTT broker {_endpoint} was lost: {reason.Message}", reason);
        foreach (var pending in connection.Dispatcher.Close(lost))
        {
            if (pending.HoldsWindowSlot) _window.Release();
            pending.Fail(lost);
        }
        connection.Closed.TrySetResult(reason);
    }

    private static MqttConnectionLostException LostError(Connection connection) => connection.Failure as MqttConnectionLostException
        ?? new MqttConnectionLostException($"The connection to the MQTT broker was lost: {connection.Failure?.Message}", connection.Failure);

    private void SetConnected()
    {
        lock (_gate)
        {
            _isConnected = true;
            _connectedSignal.TrySetResult();
        }
    }

    private void SetDisconnectedLocked()
    {
        _isConnected = false;
        if (_connectedSignal.Task.IsCompleted) _connectedSignal = NewSignal();
    }

    private void RaiseConnectionChanged(bool isConnected, bool sessionPresent, string? reason)
    {
        try
        {
            ConnectionChanged?.Invoke(this, new MqttConnectionChangedEventArgs(isConnected, sessionPresent, reason));
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(_logger, _endpoint, ex);
        }
    }

    /// <summary>
    /// Keep-alive (MQTT 5.0 section 3.1.2.10): one timer per connection, re-armed for the nearest of "time to ping"
    /// (nothing sent for the keep-alive interval) and "time to give up" (nothing received for 1.5 times the interval).
    /// While the read loop waits for room in <see cref="Messages"/>, silence is our doing, not the broker's.
    /// </summary>
    private void OnKeepAliveTimer(Connection connection)
    {
        if (connection.IsBroken) return;
        var keepAlive = connection.KeepAlive;
        var deadAfter = keepAlive * 1.5;
        var now = _time.GetTimestamp();
        var silent = _time.GetElapsedTime(Volatile.Read(ref connection.LastReceived), now);
        if (connection.DeliveryStalled) silent = TimeSpan.Zero;
        if (silent >= deadAfter)
        {
            Log.KeepAliveExpired(_logger, _endpoint, silent.TotalSeconds, keepAlive.TotalSeconds);
            Break(connection, new MqttConnectionLostException(
                $"No packet from the MQTT broker {_endpoint} for {silent.TotalSeconds:0.#} s (keep-alive {keepAlive.TotalSeconds:0} s)."), clean: false);
            return;
        }
        var lastActivity = Math.Max(Volatile.Read(ref connection.LastSent), Volatile.Read(ref connection.LastPingQueued));
        var idle = _time.GetElapsedTime(lastActivity, now);
        if (idle >= keepAlive)
        {
            Volatile.Write(ref connection.LastPingQueued, now);
            Log.Ping(_logger, _endpoint);
            connection.TryEnqueue(new Outgoing(PingReqPacket.Instance, null));
            idle = TimeSpan.Zero;
        }
        var next = TimeSpan.FromTicks(Math.Min((keepAlive - idle).Ticks, (deadAfter - silent).Ticks));
        if (next < TimeSpan.FromMilliseconds(1)) next = TimeSpan.FromMilliseconds(1);
        try { connection.KeepAliveTimer?.Change(next, Timeout.InfiniteTimeSpan); }
        catch (ObjectDisposedException) { }
    }
}
