using Microsoft.Extensions.Logging;

namespace Nexwatt.Protocols.Mqtt;

public sealed partial class MqttClient
{
    // Event ids 2000-2039: MQTT client.
    private static partial class Log
    {
        [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "MQTT {Endpoint} connected as '{ClientId}' (MQTT {Version}, session present {SessionPresent}, keep-alive {KeepAliveSeconds} s, in-flight window {Window})")]
        public static partial void Connected(ILogger logger, string endpoint, string clientId, string version, bool sessionPresent, double keepAliveSeconds, int window);

        [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "MQTT {Endpoint} connect attempt {Attempt} failed: {Reason}; next attempt in {DelayMs:0} ms")]
        public static partial void ConnectFailed(ILogger logger, string endpoint, int attempt, string reason, double delayMs, Exception exception);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "MQTT {Endpoint} refused the connection: {Reason}; retrying in {DelayMs:0} ms, but this needs a configuration change")]
        public static partial void ConnectRefused(ILogger logger, string endpoint, string reason, double delayMs);

        [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "MQTT {Endpoint} connection lost: {Reason}; reconnecting in {DelayMs:0} ms")]
        public static partial void ConnectionLost(ILogger logger, string endpoint, string reason, double delayMs);

        [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "MQTT {Endpoint} sent a malformed or unexpected packet; closing the connection: {Reason}")]
        public static partial void ProtocolViolation(ILogger logger, string endpoint, string reason);

        [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "MQTT {Endpoint}: no packet from the broker for {SilentSeconds:0.#} s (keep-alive {KeepAliveSeconds} s); the connection is dead")]
        public static partial void KeepAliveExpired(ILogger logger, string endpoint, double silentSeconds, double keepAliveSeconds);

        [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "MQTT {Endpoint} disconnected cleanly")]
        public static partial void Disconnected(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "MQTT {Endpoint} subscribed to '{TopicFilter}' (granted 0x{Code:X2})")]
        public static partial void Subscribed(ILogger logger, string endpoint, string topicFilter, byte code);

        [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "MQTT {Endpoint} refused the subscription to '{TopicFilter}' (0x{Code:X2}): {Reason}")]
        public static partial void SubscribeRefused(ILogger logger, string endpoint, string topicFilter, byte code, string reason);

        [LoggerMessage(EventId = 2009, Level = LogLevel.Debug, Message = "MQTT {Endpoint}: {PacketType} for unknown packet id {PacketId} ignored")]
        public static partial void UnknownPacketId(ILogger logger, string endpoint, string packetType, ushort packetId);

        [LoggerMessage(EventId = 2010, Level = LogLevel.Trace, Message = "MQTT {Endpoint} sent {Packet}")]
        public static partial void PacketSent(ILogger logger, string endpoint, string packet);

        [LoggerMessage(EventId = 2011, Level = LogLevel.Trace, Message = "MQTT {Endpoint} received {Packet}")]
        public static partial void PacketReceived(ILogger logger, string endpoint, string packet);

        [LoggerMessage(EventId = 2012, Level = LogLevel.Error, Message = "MQTT {Endpoint}: internal loop failure")]
        public static partial void LoopFailed(ILogger logger, string endpoint, Exception exception);

        [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "MQTT {Endpoint}: a ConnectionChanged handler threw")]
        public static partial void HandlerFailed(ILogger logger, string endpoint, Exception exception);

        [LoggerMessage(EventId = 2014, Level = LogLevel.Debug, Message = "MQTT {Endpoint}: keep-alive PINGREQ")]
        public static partial void Ping(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 2015, Level = LogLevel.Debug, Message = "MQTT {Endpoint}: acknowledgement of packet id {PacketId} dropped, its connection is gone; the broker delivers the message again")]
        public static partial void AcknowledgementDropped(ILogger logger, string endpoint, ushort packetId);

        [LoggerMessage(EventId = 2016, Level = LogLevel.Error, Message = "MQTT {Endpoint}: not publishing to '{Topic}': the packet of {Size} bytes is over the broker's Maximum Packet Size of {Max} bytes")]
        public static partial void PublishTooLarge(ILogger logger, string endpoint, string topic, int size, uint max);

        [LoggerMessage(EventId = 2017, Level = LogLevel.Error, Message = "MQTT {Endpoint}: refused an incoming packet over our maximum packet size ({Reason}); closing the connection ({Count} so far). Raise MaxIncomingPacketSize to take it")]
        public static partial void IncomingTooLarge(ILogger logger, string endpoint, string reason, long count);
    }
}
