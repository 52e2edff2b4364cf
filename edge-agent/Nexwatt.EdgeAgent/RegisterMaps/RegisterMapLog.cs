using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.RegisterMaps;

/// <summary>Register-map devices log in event ids 2400-2419.</summary>
internal static partial class RegisterMapLog
{
    [LoggerMessage(2400, LogLevel.Information, "{DeviceId}: identified as a {Map} device ({Model}); control: {Control}")]
    public static partial void DeviceIdentified(ILogger logger, string deviceId, string map, string model, string control);
}
