using System.Buffers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Nexwatt.Protocols.Mqtt.Formatter;
using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt;

public sealed partial class MqttClient
{
    private const int MaxBatchBytes = 64 * 1024;

    /// <summary>
    /// The one writer of a connection's stream: drains the outgoing queue, encodes everything queued into one buffer
    /// (up to 64 KiB) and writes it with one call, so a burst of publishes costs one syscall.
    /// </summary>
    private async Task WriterLoopAsync(Connection connection)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        var written = new List<TaskCompletionSource>();
        var reader = connection.Outgoing.Reader;
        var version = _options.ProtocolVersion;
        var trace = _logger.IsEnabled(LogLevel.Trace);
        Exception? failure = null;
        try
        {
            while (await reader.WaitToReadAsync(connection.Closing.Token).ConfigureAwait(false))
            {
                while (buffer.WrittenCount < MaxBatchBytes && reader.TryRead(out var item))
                {
                    MqttPacketEncoder.Encode(item.Packet, version, buffer);
                    if (item.Written is not null) written.Add(item.Written);
                    if (trace) Log.PacketSent(_logger, _endpoint, item.Packet.ToString());
                }
                await connection.Stream.WriteAsync(buffer.WrittenMemory, connection.Closing.Token).ConfigureAwait(false);
                await connection.Stream.FlushAsync(connection.Closing.Token).ConfigureAwait(false);
                Volatile.Write(ref connection.LastSent, _time.GetTimestamp());
                if (buffer.Capacity > 4 * MaxBatchBytes) buffer = new ArrayBufferWriter<byte>(16 * 1024);
                else buffer.ResetWrittenCount();
                foreach (var done in written) done.TrySetResult();
                written.Clear();
            }
        }
        catch (OperationCanceledException) when (connection.Closing.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or AuthenticationException or NotSupportedException)
        {
            failure = new MqttConnectionLostException($"Sending to the MQTT broker {_endpoint} failed: {ex.Message}", ex);
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, _endpoint, ex);
            failure = new MqttConnectionLostException($"Sending to the MQTT broker {_endpoint} failed: {ex.Message}", ex);
        }
        if (failure is not null) Break(connection, failure, clean: false);
        var lost = LostError(connection);
        foreach (var done in written) done.TrySetException(lost);
        while (reader.TryRead(out var left)) left.Written?.TrySetException(lost);
    }

    /// <summary>
    /// Parses every complete packet and dispatches it. A malformed packet, an I/O error or the end of the stream
    /// breaks the connection; leftover bytes at the end of the stream are a truncated packet.
    /// </summary>
    private async Task ReadLoopAsync(Connection connection)
    {
        var reader = connection.Reader;
        var version = _options.ProtocolVersion;
        var maxPacketSize = _options.MaxIncomingPacketSize;
        var trace = _logger.IsEnabled(LogLevel.Trace);
        Exception failure;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(connection.Closing.Token).ConfigureAwait(false);
                Volatile.Write(ref connection.LastReceived, _time.GetTimestamp());
                var buffer = result.Buffer;
                try
                {
                    while (MqttFrameReader.TryRead(ref buffer, version, maxPacketSize, out var packet))
                    {
                        if (trace) Log.PacketReceived(_logger, _endpoint, packet.ToString());
                        var handled = HandlePacketAsync(connection, packet);
                        if (!handled.IsCompletedSuccessfully) await handled.ConfigureAwait(false);
                    }
                    if (result.IsCompleted)
                    {
                        failure = buffer.IsEmpty
                            ? new MqttConnectionLostException($"The MQTT broker {_endpoint} closed the connection.")
                            : new MqttProtocolException($"The MQTT broker {_endpoint} closed the connection inside a packet ({buffer.Length} bytes left).");
                        if (failure is MqttProtocolException) Log.ProtocolViolation(_logger, _endpoint, failure.Message);
                        break;
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (MqttProtocolException ex) when (ex.IsPacketTooLarge)
        {
            // The message is lost to this client (a 3.1.1 broker sends it again on the next connection, and again):
            // counted and logged as such, never folded into a generic protocol error.
            Log.IncomingTooLarge(_logger, _endpoint, ex.Message, Interlocked.Increment(ref _incomingPacketsTooLarge));
            failure = ex;
        }
        catch (MqttProtocolException ex)
        {
            Log.ProtocolViolation(_logger, _endpoint, ex.Message);
            failure = ex;
        }
        catch (MqttException ex)
        {
            failure = ex;
        }
        catch (OperationCanceledException) when (connection.Closing.IsCancellationRequested)
        {
            failure = connection.Failure ?? new MqttConnectionLostException("The connection was closed.");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or AuthenticationException or InvalidOperationException or ChannelClosedException)
        {
            failure = new MqttConnectionLostException($"Receiving from the MQTT broker {_endpoint} failed: {ex.Message}", ex);
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, _endpoint, ex);
            failure = new MqttConnectionLostException($"Receiving from the MQTT broker {_endpoint} failed: {ex.Message}", ex);
        }
        await reader.CompleteAsync().ConfigureAwait(false);
        Break(connection, failure, clean: false);
    }

    private ValueTask HandlePacketAsync(Connection connection, MqttPacket packet)
    {
        switch (packet)
        {
            case PubAckPacket ack:
                Acknowledge(connection, ack.PacketId, packet);
                return ValueTask.CompletedTask;
            case PublishPacket publish:
                return DeliverAsync(connection, publish);
            case SubAckPacket subAck:
                Acknowledge(connection, subAck.PacketId, packet);
                return ValueTask.CompletedTask;
            case UnsubAckPacket unsubAck:
                Acknowledge(connection, unsubAck.PacketId, packet);
                return ValueTask.CompletedTask;
            case PingRespPacket:
                return ValueTask.CompletedTask;
            case DisconnectPacket disconnect:
                throw new MqttConnectionLostException(
                    $"The MQTT broker {_endpoint} disconnected: {MqttReasonCodes.Describe(disconnect.ReasonCode)} (0x{disconnect.ReasonCode:X2})" +
                    (disconnect.ReasonString is { } why ? $": {why}" : "") + (disconnect.ServerReference is { } server ? $" (use {server})" : "") + ".");
            default:
                throw new MqttProtocolException($"Unexpected {packet.Type} packet from the broker {_endpoint}.");
        }
    }

    private void Acknowledge(Connection connection, ushort packetId, MqttPacket acknowledgement)
    {
        var pending = connection.Dispatcher.TryTake(packetId);
        if (pending is null)
        {
            // A late acknowledgement of something already failed or unknown: harmless, not worth the connection.
            Log.UnknownPacketId(_logger, _endpoint, acknowledgement.Type.ToString(), packetId);
            return;
        }
        if (pending.HoldsWindowSlot) _window.Release();
        if (pending.AcknowledgedBy != acknowledgement.Type)
        {
            var error = new MqttProtocolException($"The broker {_endpoint} answered packet id {packetId} ({pending.AcknowledgedBy} expected) with {acknowledgement.Type}.");
            pending.Fail(error);
            throw error;
        }
        pending.Complete(acknowledgement);
    }

    /// <summary>
    /// Puts an incoming message into <see cref="Messages"/> (waiting for room), then acknowledges QoS 1, or, in manual
    /// mode, registers it (in receive order) so that the application's <see cref="MqttApplicationMessage.Acknowledge"/>
    /// sends the PUBACK.
    /// </summary>
    private ValueTask DeliverAsync(Connection connection, PublishPacket publish)
    {
        var atLeastOnce = publish.QualityOfService == MqttQualityOfService.AtLeastOnce;
        var message = new MqttApplicationMessage(publish.Topic, publish.Payload, publish.QualityOfService, publish.Retain)
        {
            Acknowledgement = atLeastOnce ? connection.Acknowledgements?.Track(publish.PacketId) : null,
        };
        if (_messages.Writer.TryWrite(message))
        {
            if (atLeastOnce && connection.Acknowledgements is null) connection.TryEnqueue(new Outgoing(new PubAckPacket(publish.PacketId), null));
            return ValueTask.CompletedTask;
        }
        return DeliverSlowAsync(connection, publish, message);
    }

    private async ValueTask DeliverSlowAsync(Connection connection, PublishPacket publish, MqttApplicationMessage message)
    {
        connection.DeliveryStalled = true;
        try
        {
            await _messages.Writer.WriteAsync(message, connection.Closing.Token).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new MqttConnectionLostException("The MQTT client was disposed.");
        }
        finally
        {
            Volatile.Write(ref connection.LastReceived, _time.GetTimestamp());
            connection.DeliveryStalled = false;
        }
        if (publish.QualityOfService == MqttQualityOfService.AtLeastOnce && connection.Acknowledgements is null)
            connection.TryEnqueue(new Outgoing(new PubAckPacket(publish.PacketId), null));
    }
}
