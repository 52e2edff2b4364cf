using Microsoft.Extensions.Logging;

namespace Nexwatt.Protocols.Modbus.Client;

public sealed partial class ModbusLink
{
    // Event ids 1000-1039: Modbus client link.
    private static partial class Log
    {
        [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Modbus link {Endpoint} connected")]
        public static partial void Connected(ILogger logger, string endpoint);

        [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Modbus link {Endpoint} connect attempt {Attempt} failed; next attempt in {DelayMs:0} ms")]
        public static partial void ConnectFailed(ILogger logger, string endpoint, int attempt, double delayMs, Exception exception);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Modbus link {Endpoint} connection broken: {Reason}")]
        public static partial void ConnectionBroken(ILogger logger, string endpoint, string reason, Exception exception);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Modbus link {Endpoint} discarded a response with unknown transaction id {TransactionId} from unit {UnitId}")]
        public static partial void StaleResponse(ILogger logger, string endpoint, ushort transactionId, byte unitId);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Modbus link {Endpoint}: unit {UnitId} function {Function} transaction {TransactionId} timed out")]
        public static partial void RequestTimedOut(ILogger logger, string endpoint, byte unitId, byte function, ushort transactionId);

        [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Modbus link {Endpoint}: circuit breaker opened for unit {UnitId} for {PauseMs:0} ms")]
        public static partial void BreakerOpened(ILogger logger, string endpoint, byte unitId, double pauseMs);

        [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Modbus link {Endpoint}: circuit breaker closed for unit {UnitId}")]
        public static partial void BreakerClosed(ILogger logger, string endpoint, byte unitId);

        [LoggerMessage(EventId = 1007, Level = LogLevel.Debug, Message = "Modbus link {Endpoint}: probing unit {UnitId} (breaker half-open)")]
        public static partial void BreakerProbe(ILogger logger, string endpoint, byte unitId);

        [LoggerMessage(EventId = 1008, Level = LogLevel.Trace, Message = "Modbus link {Endpoint} sent {Frame}")]
        public static partial void FrameSent(ILogger logger, string endpoint, string frame);

        [LoggerMessage(EventId = 1009, Level = LogLevel.Trace, Message = "Modbus link {Endpoint} received tid {TransactionId} unit {UnitId} PDU {Pdu}")]
        public static partial void FrameReceived(ILogger logger, string endpoint, ushort transactionId, byte unitId, string pdu);

        [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Modbus link {Endpoint}: unit {UnitId} answered function 0x{Function:X2} with a corrupt frame; the connection is reset and the other units' requests retried: {Reason}")]
        public static partial void CorruptAnswer(ILogger logger, string endpoint, byte unitId, byte function, string reason);

        [LoggerMessage(EventId = 1012, Level = LogLevel.Debug, Message = "Modbus link {Endpoint}: unit {UnitId} function 0x{Function:X2} is sent again on the next connection")]
        public static partial void RequestRetried(ILogger logger, string endpoint, byte unitId, byte function);

        [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "Modbus link {Endpoint}: internal loop failure")]
        public static partial void LoopFailed(ILogger logger, string endpoint, Exception exception);
    }
}
