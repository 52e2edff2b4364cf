using System.Net;
using Microsoft.Extensions.Logging;

namespace Nexwatt.Protocols.Modbus.Server;

public sealed partial class ModbusTcpServer
{
    // Event ids 1040-1079: Modbus TCP server.
    private static partial class Log
    {
        [LoggerMessage(EventId = 1040, Level = LogLevel.Information, Message = "Modbus TCP server listening on {EndPoint}")]
        public static partial void Listening(ILogger logger, EndPoint endPoint);

        [LoggerMessage(EventId = 1041, Level = LogLevel.Information, Message = "Modbus TCP server on {EndPoint} stopped")]
        public static partial void Stopped(ILogger logger, EndPoint endPoint);

        [LoggerMessage(EventId = 1042, Level = LogLevel.Debug, Message = "Modbus client {Remote} connected")]
        public static partial void ClientConnected(ILogger logger, EndPoint? remote);

        [LoggerMessage(EventId = 1043, Level = LogLevel.Debug, Message = "Modbus client {Remote} disconnected")]
        public static partial void ClientDisconnected(ILogger logger, EndPoint? remote);

        [LoggerMessage(EventId = 1044, Level = LogLevel.Warning, Message = "Modbus client {Remote} sent a malformed frame; closing its connection")]
        public static partial void ClientProtocolError(ILogger logger, EndPoint? remote, Exception exception);

        [LoggerMessage(EventId = 1045, Level = LogLevel.Debug, Message = "Modbus client {Remote} closed with {Count} bytes of an unfinished frame")]
        public static partial void ClientTruncatedFrame(ILogger logger, EndPoint? remote, long count);

        [LoggerMessage(EventId = 1046, Level = LogLevel.Debug, Message = "Modbus client {Remote} I/O error: {Reason}")]
        public static partial void ClientIoError(ILogger logger, EndPoint? remote, string reason);

        [LoggerMessage(EventId = 1047, Level = LogLevel.Error, Message = "Modbus handler failed for unit {UnitId}; answering exception 04")]
        public static partial void HandlerFailed(ILogger logger, byte unitId, Exception exception);

        [LoggerMessage(EventId = 1048, Level = LogLevel.Error, Message = "Modbus handler returned a {Length}-byte PDU for unit {UnitId}; answering exception 04")]
        public static partial void HandlerBadPdu(ILogger logger, byte unitId, int length);

        [LoggerMessage(EventId = 1049, Level = LogLevel.Warning, Message = "Modbus connection from {Remote} refused: {Max} clients already connected")]
        public static partial void ConnectionRejected(ILogger logger, EndPoint? remote, int max);

        [LoggerMessage(EventId = 1050, Level = LogLevel.Warning, Message = "Modbus TCP accept failed")]
        public static partial void AcceptFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 1051, Level = LogLevel.Trace, Message = "Modbus request from {Remote}: tid {TransactionId} unit {UnitId} PDU {Pdu}")]
        public static partial void RequestReceived(ILogger logger, EndPoint? remote, ushort transactionId, byte unitId, string pdu);
    }
}
