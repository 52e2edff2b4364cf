using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Protocols.Mqtt.Channel;
using Nexwatt.Protocols.Mqtt.Client;
using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt;

/// <summary>
/// An MQTT 3.1.1 / 5.0 client session that keeps itself connected.
/// <list type="bullet">
/// <item><see cref="StartAsync"/> starts the session loop: connect (TCP, TLS), CONNECT/CONNACK, re-subscribe when the
/// broker has no session, then wait for the connection to end and reconnect after an exponential backoff with jitter.</item>
/// <item>One writer loop owns the stream and batches packets into few writes; one read loop (PipeReader) parses
/// packets, completes publishes and subscriptions by packet id and delivers incoming messages to <see cref="Messages"/>.</item>
/// <item>Keep-alive runs on one timer from the injected <see cref="TimeProvider"/>: PINGREQ when nothing was sent for
/// the keep-alive interval; the connection is dead after 1.5 times the interval without a packet from the broker.</item>
/// <item>QoS 1 publishes are bounded by <see cref="MqttClientOptions.MaxInFlight"/> (and the broker's Receive Maximum).
/// Unacknowledged publishes are not kept across connections: they fail with <see cref="MqttConnectionLostException"/>
/// and the caller resends from its own durable buffer.</item>
/// <item>Incoming QoS 1 messages are acknowledged once in <see cref="Messages"/>, or, with
/// <see cref="MqttClientOptions.ManualAcknowledgement"/>, when the application acknowledges them (in receive order on
/// the wire; dropped if their connection was lost, since the broker then delivers them again).</item>
/// </list>
/// </summary>
public sealed partial class MqttClient : IAsyncDisposable
{
    private readonly MqttClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly IMqttTransport _transport;
    private readonly Random _jitter;
    private readonly string _endpoint;
    private readonly Channel<MqttApplicationMessage> _messages;
    private readonly InFlightWindow _window;
    private readonly object _gate = new();
    private readonly Dictionary<string, SubscriptionState> _subscriptions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _connectedSignal = NewSignal();
    private Connection? _connection;
    private Task? _sessionLoop;
    private Exception? _lastConnectError;
    private volatile bool _isConnected;
    private long _connectionsOpened;
    private long _publishesRefusedTooLarge;
    private long _incomingPacketsTooLarge;
    private int _disposed;

    /// <summary>Creates a client; nothing happens on the network until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Validated now (<see cref="MqttClientOptions.Validate"/>) and copied.</param>
    /// <param name="logger">Log sink; null logs nothing.</param>
    /// <param name="timeProvider">Clock for keep-alive, timeouts and backoff; null is the system clock.</param>
    public MqttClient(MqttClientOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
        : this(options, logger, timeProvider, transport: null, jitter: null)
    {
    }

    internal MqttClient(MqttClientOptions options, ILogger? logger, TimeProvider? timeProvider, IMqttTransport? transport, Random? jitter)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _transport = transport ?? new MqttTcpTransport(_options);
        _jitter = jitter ?? new Random();
        _endpoint = _transport.Endpoint;
        _window = new InFlightWindow(_options.MaxInFlight);
        // Wait, not drop: a slow consumer stalls reading from the broker (and so the broker's flow control) instead of
        // losing messages. Only the one read loop of the current connection writes.
        _messages = System.Threading.Channels.Channel.CreateBounded<MqttApplicationMessage>(new BoundedChannelOptions(_options.IncomingMessageCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = true,
        });
    }

    /// <summary>True between a successful CONNACK (and re-subscription) and the loss of that connection.</summary>
    public bool IsConnected => _isConnected;

    /// <summary>Raised after a successful CONNACK (<c>IsConnected</c> true) and when the connection is lost or closed (false, with a reason). Handlers must not block.</summary>
    public event EventHandler<MqttConnectionChangedEventArgs>? ConnectionChanged;

    /// <summary>
    /// Incoming PUBLISH packets. Bounded: when the reader falls behind, the client stops reading from the broker. A QoS 1
    /// message is acknowledged once it is in this channel, or, with <see cref="MqttClientOptions.ManualAcknowledgement"/>,
    /// when the application calls <see cref="MqttApplicationMessage.Acknowledge"/>.
    /// </summary>
    public ChannelReader<MqttApplicationMessage> Messages => _messages.Reader;

    /// <summary>The last reason a connection attempt failed (refusal, TLS, socket, timeout), or null after a success.</summary>
    public Exception? LastConnectError => Volatile.Read(ref _lastConnectError);

    /// <summary>Connections opened so far (diagnostics).</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _connectionsOpened);

    /// <summary>"host:port" of the broker.</summary>
    public string Endpoint => _endpoint;

    /// <summary>
    /// The Maximum Packet Size the broker announced in the CONNACK of the current connection (MQTT 5.0 section
    /// 3.2.2.3.6), or null: not connected, MQTT 3.1.1 (which cannot announce one) or a 5.0 broker without a limit.
    /// </summary>
    public long? BrokerMaximumPacketSize => Volatile.Read(ref _connection) is { IsBroken: false } connection ? connection.MaximumPacketSize : null;

    /// <summary>Publishes refused before sending because the packet was over the broker's Maximum Packet Size.</summary>
    public long PublishesRefusedTooLarge => Interlocked.Read(ref _publishesRefusedTooLarge);

    /// <summary>Packets from the broker over <see cref="MqttClientOptions.MaxIncomingPacketSize"/>: each closed its connection unread.</summary>
    public long IncomingPacketsTooLarge => Interlocked.Read(ref _incomingPacketsTooLarge);

    /// <summary>The size on the wire of a PUBLISH (fixed header included) with this topic and payload length, as this client encodes it.</summary>
    public int PublishPacketSize(string topic, int payloadLength, MqttQualityOfService qos) => PublishSize(topic, payloadLength, qos);

    /// <summary>QoS 1 publishes currently awaiting PUBACK.</summary>
    public int InFlightCount => _window.InUse;

    /// <summary>Starts the session loop and returns at once; it does not wait for a connection (see <see cref="WaitUntilConnectedAsync"/>).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_gate)
        {
            if (_sessionLoop is not null) throw new InvalidOperationException("The MQTT client is already started.");
            if (_stopping.IsCancellationRequested) throw new InvalidOperationException("A stopped MQTT client cannot be started again; create a new one.");
            _sessionLoop = Task.Run(() => RunSessionAsync(_stopping.Token), CancellationToken.None);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Completes when the client is connected. Throws the <see cref="MqttConnectRefusedException"/> of a connection
    /// attempt the broker refused for a non-transient reason (bad credentials, not authorized, bad client id), and
    /// <see cref="MqttNotConnectedException"/> once the client is stopped.
    /// </summary>
    public async Task WaitUntilConnectedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (_gate)
            {
                if (_isConnected) return;
                signal = _connectedSignal.Task;
            }
            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Disconnects cleanly (DISCONNECT with reason 0: the broker discards the will), then stops the session loop.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task? loop;
        lock (_gate)
        {
            loop = _sessionLoop;
            if (!_stopping.IsCancellationRequested) _stopping.Cancel();
        }
        if (Volatile.Read(ref _connection) is { IsBroken: false } connection)
        {
            try
            {
                var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (connection.TryEnqueue(new Outgoing(new DisconnectPacket(0), written)))
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(_options.ConnectTimeout);
                    await written.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is MqttException or OperationCanceledException)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            Break(connection, new MqttConnectionLostException("The client disconnected."), clean: true);
        }
        if (loop is not null) await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes one message. QoS 0 completes once written to the connection; QoS 1 completes on PUBACK, after waiting
    /// for a slot of the in-flight window. Throws <see cref="MqttNotConnectedException"/> when not connected at call
    /// time, <see cref="MqttConnectionLostException"/> when the connection drops before the PUBACK (the client does not
    /// resend it), <see cref="MqttPublishRejectedException"/> for a v5 PUBACK reason code of 0x80 or above.
    /// </summary>
    public ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQualityOfService qos, bool retain = false, CancellationToken cancellationToken = default)
    {
        if (!MqttTopic.IsValidTopicName(topic, out var why)) throw new ArgumentException($"Invalid topic name: {why}", nameof(topic));
        if (qos is not (MqttQualityOfService.AtMostOnce or MqttQualityOfService.AtLeastOnce)) throw new ArgumentOutOfRangeException(nameof(qos), qos, "QoS 0 or 1.");
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        if (Volatile.Read(ref _connection) is not { IsBroken: false } connection || !connection.IsEstablished)
            return ValueTask.FromException(new MqttNotConnectedException($"Not connected to the MQTT broker {_endpoint}; nothing was published to '{topic}'."));
        if (connection.MaximumPacketSize is { } max && PublishSize(topic, payload.Length, qos) is var size && size > max)
        {
            // Sending it would make the broker close the connection (5.0 section 3.2.2.3.6); refused here, counted and said.
            Interlocked.Increment(ref _publishesRefusedTooLarge);
            Log.PublishTooLarge(_logger, _endpoint, topic, size, max);
            return ValueTask.FromException(new MqttPublishRejectedException(topic, 0x95, $"the packet of {size} bytes exceeds the broker's Maximum Packet Size of {max} bytes"));
        }
        return qos == MqttQualityOfService.AtMostOnce
            ? PublishAtMostOnceAsync(connection, new PublishPacket(topic, payload, qos, retain, false, 0), cancellationToken)
            : PublishAtLeastOnceAsync(connection, topic, payload, retain, cancellationToken);
    }

    private int PublishSize(string topic, int payloadLength, MqttQualityOfService qos)
    {
        var remaining = 2 + System.Text.Encoding.UTF8.GetByteCount(topic) + (qos == MqttQualityOfService.AtMostOnce ? 0 : 2)
            + (_options.ProtocolVersion == MqttProtocolVersion.V500 ? 1 : 0) + payloadLength;
        return 1 + Formatter.VariableByteInteger.SizeOf(Math.Min(remaining, Formatter.VariableByteInteger.MaxValue)) + remaining;
    }

    private static async ValueTask PublishAtMostOnceAsync(Connection connection, PublishPacket packet, CancellationToken cancellationToken)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!connection.TryEnqueue(new Outgoing(packet, written)))
            throw new MqttConnectionLostException($"The connection to the broker was lost; '{packet.Topic}' was not published.", connection.Failure);
        await written.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask PublishAtLeastOnceAsync(Connection connection, string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken)
    {
        await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
        var pending = new PendingAck(topic, MqttPacketType.PubAck, holdsWindowSlot: true);
        if (!connection.Dispatcher.TryRegister(pending, out var closed))
        {
            _window.Release();
            throw new MqttConnectionLostException($"The connection to the broker was lost; '{topic}' was not published.", closed);
        }
        // If the connection breaks now, closing the dispatcher fails the pending publish: nothing else to undo.
        connection.TryEnqueue(new Outgoing(new PublishPacket(topic, payload, MqttQualityOfService.AtLeastOnce, retain, false, pending.PacketId), null));
        var ack = (PubAckPacket)await pending.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (ack.ReasonCode >= 0x80) throw new MqttPublishRejectedException(topic, ack.ReasonCode, ack.ReasonString);
    }

    /// <summary>
    /// Subscribes with QoS 0 or 1 and remembers the subscription: it is sent again on every reconnect where the broker
    /// has no session. When connected, completes on SUBACK and throws <see cref="MqttSubscribeRejectedException"/> if
    /// the broker refuses (the subscription is then forgotten); when not connected (or the connection drops before the
    /// SUBACK), completes at once and the subscription is sent on the next connection.
    /// </summary>
    public async Task SubscribeAsync(string topicFilter, MqttQualityOfService qos, CancellationToken cancellationToken)
    {
        if (!MqttTopic.IsValidTopicFilter(topicFilter, out var why)) throw new ArgumentException($"Invalid topic filter: {why}", nameof(topicFilter));
        if (qos is not (MqttQualityOfService.AtMostOnce or MqttQualityOfService.AtLeastOnce)) throw new ArgumentOutOfRangeException(nameof(qos), qos, "QoS 0 or 1.");
        cancellationToken.ThrowIfCancellationRequested();
        var state = new SubscriptionState(topicFilter, qos);
        lock (_gate) _subscriptions[topicFilter] = state;
        if (Volatile.Read(ref _connection) is not { IsBroken: false, IsEstablished: true } connection) return;
        await SendSubscribeAsync(connection, state, throwOnRefusal: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one SUBSCRIBE and waits for its SUBACK; a lost connection leaves the subscription for the next one.</summary>
    private async Task SendSubscribeAsync(Connection connection, SubscriptionState state, bool throwOnRefusal, CancellationToken cancellationToken)
    {
        var pending = new PendingAck(state.TopicFilter, MqttPacketType.SubAck, holdsWindowSlot: false);
        if (!connection.Dispatcher.TryRegister(pending, out _)) return;
        connection.TryEnqueue(new Outgoing(new SubscribePacket(pending.PacketId, [new MqttSubscription(state.TopicFilter, state.QualityOfService)]), null));
        SubAckPacket ack;
        try
        {
            ack = (SubAckPacket)await pending.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MqttConnectionLostException)
        {
            return;
        }
        var code = ack.ReasonCodes.Count > 0 ? ack.ReasonCodes[0] : (byte)0x80;
        if (code < 0x80)
        {
            state.Confirmed = true;
            Log.Subscribed(_logger, _endpoint, state.TopicFilter, code);
            return;
        }
        var refused = new MqttSubscribeRejectedException(state.TopicFilter, code, ack.ReasonString);
        lock (_gate)
            if (_subscriptions.TryGetValue(state.TopicFilter, out var current) && current == state) _subscriptions.Remove(state.TopicFilter);
        Log.SubscribeRefused(_logger, _endpoint, state.TopicFilter, code, refused.Message);
        if (throwOnRefusal) throw refused;
    }

    /// <summary>Stops (clean DISCONNECT when connected), completes <see cref="Messages"/> and releases everything.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout + TimeSpan.FromSeconds(5));
            await StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            if (Volatile.Read(ref _connection) is { } connection) Break(connection, new MqttConnectionLostException("The client was disposed."), clean: true);
        }
        _messages.Writer.TryComplete();
        lock (_gate) _connectedSignal.TrySetException(new MqttNotConnectedException("The MQTT client was disposed."));
        _stopping.Dispose();
    }

    /// <summary>Test hook: drops the connection without DISCONNECT, as a network failure would (the broker publishes the will).</summary>
    internal void AbortConnection(string reason = "aborted by test")
    {
        if (Volatile.Read(ref _connection) is { } connection) Break(connection, new MqttConnectionLostException(reason), clean: false);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A remembered subscription; <see cref="Confirmed"/> once the broker granted it in the current session.</summary>
    private sealed class SubscriptionState(string topicFilter, MqttQualityOfService qualityOfService)
    {
        public string TopicFilter { get; } = topicFilter;
        public MqttQualityOfService QualityOfService { get; } = qualityOfService;
        public volatile bool Confirmed;
    }
}
