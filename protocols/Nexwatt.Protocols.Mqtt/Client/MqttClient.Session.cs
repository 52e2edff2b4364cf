using System.Text;
using Nexwatt.Protocols.Mqtt.Client;
using Nexwatt.Protocols.Mqtt.Formatter;
using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt;

public sealed partial class MqttClient
{
    /// <summary>
    /// The session loop: connect, run the connection until it ends, wait a backoff, again, until stopped.
    /// Consecutive failed attempts double the delay (ReconnectDelayMin..Max, equal jitter); a lost connection that
    /// had been up waits one minimum step, so a broker that drops us at once is not hammered.
    /// </summary>
    private async Task RunSessionAsync(CancellationToken stopping)
    {
        var attempt = 0;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                Connection connection;
                try
                {
                    connection = await ConnectAsync(stopping).ConfigureAwait(false);
                    attempt = 0;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    attempt++;
                    Volatile.Write(ref _lastConnectError, ex);
                    var delay = ReconnectBackoff.Delay(attempt, _options.ReconnectDelayMin, _options.ReconnectDelayMax, _jitter);
                    if (ex is MqttConnectRefusedException { IsTransient: false } refused)
                    {
                        Log.ConnectRefused(_logger, _endpoint, refused.Message, delay.TotalMilliseconds);
                        lock (_gate)
                        {
                            var waiters = _connectedSignal;
                            _connectedSignal = NewSignal();
                            waiters.TrySetException(refused);
                        }
                    }
                    else
                    {
                        Log.ConnectFailed(_logger, _endpoint, attempt, ex.Message, delay.TotalMilliseconds, ex);
                    }
                    if (!await DelayAsync(delay, stopping).ConfigureAwait(false)) break;
                    continue;
                }

                var reason = await RunConnectionAsync(connection, stopping).ConfigureAwait(false);
                if (stopping.IsCancellationRequested || connection.Clean)
                {
                    Log.Disconnected(_logger, _endpoint);
                    break;
                }
                // A connection that was up earns a fresh start: one minimum step, and failures count from 1 again.
                attempt = 0;
                var retry = ReconnectBackoff.Delay(1, _options.ReconnectDelayMin, _options.ReconnectDelayMax, _jitter);
                Log.ConnectionLost(_logger, _endpoint, reason.Message, retry.TotalMilliseconds);
                if (!await DelayAsync(retry, stopping).ConfigureAwait(false)) break;
            }
        }
        finally
        {
            lock (_gate)
            {
                _isConnected = false;
                var stopped = new MqttNotConnectedException($"The MQTT client for {_endpoint} is stopped.");
                if (!_connectedSignal.TrySetException(stopped))
                {
                    _connectedSignal = NewSignal();
                    _connectedSignal.TrySetException(stopped);
                }
            }
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Sends every remembered subscription again; never throws (refusals are logged one by one).</summary>
    private async Task ResubscribeAsync(Connection connection, List<SubscriptionState> resend, CancellationToken stopping)
    {
        try
        {
            await Task.WhenAll(resend.Select(s => SendSubscribeAsync(connection, s, throwOnRefusal: false, stopping))).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MqttException)
        {
            // A lost connection shows in the connection's Closed task.
        }
    }

    /// <summary>Runs one established connection: loops, keep-alive, re-subscription; returns why it ended.</summary>
    private async Task<Exception> RunConnectionAsync(Connection connection, CancellationToken stopping)
    {
        connection.WriterLoop = Task.Run(() => WriterLoopAsync(connection), CancellationToken.None);
        connection.ReaderLoop = Task.Run(() => ReadLoopAsync(connection), CancellationToken.None);
        if (connection.KeepAlive > TimeSpan.Zero)
        {
            connection.KeepAliveTimer = _time.CreateTimer(static state =>
            {
                var (client, c) = ((MqttClient, Connection))state!;
                client.OnKeepAliveTimer(c);
            }, (this, connection), connection.KeepAlive, Timeout.InfiniteTimeSpan);
            if (connection.IsBroken) connection.KeepAliveTimer.Dispose();
        }
        connection.IsEstablished = true;

        // Every subscription is sent again on every connection, even with the session present. A SUBSCRIBE for a
        // filter the session holds only replaces it (MQTT 5.0 section 3.8.4), and brokers do lose subscriptions of a
        // present session: Mosquitto 2.0 restores a persisted session without its shared subscriptions, which left a
        // collector connected, "session present", and deaf.
        List<SubscriptionState> resend;
        lock (_gate)
        {
            foreach (var s in _subscriptions.Values) s.Confirmed = false;
            resend = _subscriptions.Values.Where(s => !s.Confirmed).ToList();
        }
        var resubscribed = resend.Count > 0 ? ResubscribeAsync(connection, resend, stopping) : Task.CompletedTask;
        // With a session present the broker may send its backlog before the SUBACKs. Waiting for them would deadlock
        // once the backlog outgrows IncomingMessageCapacity: the read loop waits for room in Messages, the SUBACKs sit
        // behind the backlog, and an application that reads Messages only after WaitUntilConnectedAsync never does.
        // The subscriptions stand anyway (the session holds them; a SUBSCRIBE only replaces them), so connect now.
        // Without a session nothing is queued for us, and connected then means subscribed.
        if (!connection.SessionPresent) await resubscribed.ConfigureAwait(false);

        if (!connection.IsBroken)
        {
            SetConnected();
            if (connection.IsBroken)
            {
                lock (_gate) SetDisconnectedLocked();
            }
            else
            {
                connection.RaisedConnected = true;
                Log.Connected(_logger, _endpoint, _options.ClientId, _options.ProtocolVersion == MqttProtocolVersion.V311 ? "3.1.1" : "5.0",
                    connection.SessionPresent, connection.KeepAlive.TotalSeconds, _window.Limit);
                RaiseConnectionChanged(true, connection.SessionPresent, null);
            }
        }

        var reason = await connection.Closed.Task.ConfigureAwait(false);
        await connection.WriterLoop.ConfigureAwait(false);
        await connection.ReaderLoop.ConfigureAwait(false);
        lock (_gate)
        {
            if (ReferenceEquals(_connection, connection)) _connection = null;
        }
        if (connection.RaisedConnected) RaiseConnectionChanged(false, false, reason.Message);
        return reason;
    }

    /// <summary>TCP (+TLS), CONNECT, CONNACK, all within ConnectTimeout. Throws on any failure; returns the new connection.</summary>
    private async Task<Connection> ConnectAsync(CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        Stream? stream = null;
        try
        {
            stream = await _transport.ConnectAsync(linked.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _connectionsOpened);
            var connection = new Connection(stream, _time.GetTimestamp());
            if (_options.ManualAcknowledgement)
            {
                connection.Acknowledgements = new InboundAcknowledgements(
                    packetId => connection.TryEnqueue(new Outgoing(new PubAckPacket(packetId), null)),
                    packetId => Log.AcknowledgementDropped(_logger, _endpoint, packetId));
            }
            var connect = MqttPacketEncoder.ToArray(BuildConnectPacket(), _options.ProtocolVersion);
            await stream.WriteAsync(connect, linked.Token).ConfigureAwait(false);
            await stream.FlushAsync(linked.Token).ConfigureAwait(false);
            Volatile.Write(ref connection.LastSent, _time.GetTimestamp());

            var connAck = await ReadConnAckAsync(connection, linked.Token).ConfigureAwait(false);
            if (connAck.ReasonCode != 0) throw new MqttConnectRefusedException(_options.ProtocolVersion, connAck.ReasonCode, connAck.ReasonString);

            connection.SessionPresent = connAck.SessionPresent;
            connection.KeepAlive = connAck.ServerKeepAliveSeconds is { } serverKeepAlive ? TimeSpan.FromSeconds(serverKeepAlive) : _options.KeepAlive;
            connection.MaximumPacketSize = connAck.MaximumPacketSize;
            _window.SetLimit(Math.Min(_options.MaxInFlight, connAck.ReceiveMaximum ?? ushort.MaxValue));
            Volatile.Write(ref _lastConnectError, null);
            lock (_gate) _connection = connection;
            return connection;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            await DisposeQuietlyAsync(stream).ConfigureAwait(false);
            throw new TimeoutException($"Connecting to the MQTT broker {_endpoint} (TCP, TLS, CONNECT/CONNACK) took longer than {_options.ConnectTimeout.TotalSeconds:0.#} s.");
        }
        catch
        {
            await DisposeQuietlyAsync(stream).ConfigureAwait(false);
            throw;
        }
    }

    private static async ValueTask DisposeQuietlyAsync(Stream? stream)
    {
        if (stream is null) return;
        try { await stream.DisposeAsync().ConfigureAwait(false); }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException) { }
    }

    /// <summary>The first packet from the broker must be CONNACK (MQTT 5.0 section 3.2, 3.1.1 section 3.2).</summary>
    private async Task<ConnAckPacket> ReadConnAckAsync(Connection connection, CancellationToken cancellationToken)
    {
        var reader = connection.Reader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            MqttPacket? packet;
            try
            {
                if (!MqttFrameReader.TryRead(ref buffer, _options.ProtocolVersion, _options.MaxIncomingPacketSize, out packet)) packet = null;
            }
            catch
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }
            if (packet is null)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) throw new MqttConnectionLostException($"The MQTT broker {_endpoint} closed the connection before CONNACK.");
                continue;
            }
            // Consumed only the CONNACK: whatever follows it belongs to the read loop.
            reader.AdvanceTo(buffer.Start);
            Volatile.Write(ref connection.LastReceived, _time.GetTimestamp());
            return packet as ConnAckPacket ?? throw new MqttProtocolException($"The MQTT broker {_endpoint} sent {packet.Type} before CONNACK.");
        }
    }

    private ConnectPacket BuildConnectPacket()
    {
        var v5 = _options.ProtocolVersion == MqttProtocolVersion.V500;
        return new ConnectPacket
        {
            ProtocolVersion = _options.ProtocolVersion,
            ClientId = _options.ClientId ?? "",
            CleanStart = _options.CleanStart,
            KeepAliveSeconds = (ushort)_options.KeepAlive.TotalSeconds,
            Username = _options.Username,
            Password = _options.Password is null ? null : (ReadOnlyMemory<byte>?)Encoding.UTF8.GetBytes(_options.Password),
            Will = _options.Will,
            SessionExpirySeconds = v5 ? _options.SessionExpirySeconds : 0,
            MaximumPacketSize = v5 ? (uint)_options.MaxIncomingPacketSize : null,
            // Flow control (5.0 section 4.9): no more unacknowledged QoS 1 messages from the broker than Messages holds.
            // With manual acknowledgement this is what lets an application that holds messages unacknowledged keep the
            // read loop (and the PINGRESPs keep-alive needs) running; only copies left in Messages from a lost connection
            // can still fill it, and DeliveryStalled covers that. Automatic mode acknowledges on arrival, so it rarely binds.
            ReceiveMaximum = v5 ? (ushort)Math.Min(_options.IncomingMessageCapacity, ushort.MaxValue) : null,
        };
    }
}
