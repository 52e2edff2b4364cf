using Microsoft.Extensions.Logging;

namespace Nexwatt.Protocols.SunSpec;

/// <summary>Log messages of the SunSpec layer (event ids 3100–3199).</summary>
internal static partial class Log
{
    [LoggerMessage(3100, LogLevel.Debug, "Unit {UnitId}: no SunSpec marker at {Address}")]
    public static partial void NoMarker(ILogger logger, byte unitId, ushort address);

    [LoggerMessage(3101, LogLevel.Debug, "Unit {UnitId}: address {Address} answered {Code}; trying the next base address")]
    public static partial void BaseRejected(ILogger logger, byte unitId, ushort address, string code);

    [LoggerMessage(3102, LogLevel.Information, "Unit {UnitId}: SunSpec marker at {Address}")]
    public static partial void MarkerFound(ILogger logger, byte unitId, ushort address);

    [LoggerMessage(3103, LogLevel.Debug, "Unit {UnitId}: model {ModelId} at {Address}, L={Length}{Unknown}")]
    public static partial void ModelFound(ILogger logger, byte unitId, ushort modelId, ushort address, ushort length, string unknown);

    [LoggerMessage(3104, LogLevel.Debug, "Unit {UnitId}: model chain ended at {Address} ({Reason})")]
    public static partial void ChainEnded(ILogger logger, byte unitId, ushort address, string reason);

    [LoggerMessage(3105, LogLevel.Warning, "Unit {UnitId}: model chain stopped after {MaxModels} models at {Address}; the chain may loop")]
    public static partial void TooManyModels(ILogger logger, byte unitId, int maxModels, ushort address);

    [LoggerMessage(3106, LogLevel.Information, "Unit {UnitId}: no SunSpec marker at any base address")]
    public static partial void NotSunSpec(ILogger logger, byte unitId);
}
