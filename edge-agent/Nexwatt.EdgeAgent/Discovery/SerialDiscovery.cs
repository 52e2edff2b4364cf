using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.RegisterMaps;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Discovery;

/// <summary>
/// The worker's sweep of the configured serial ports ("Agent:Discovery:Serial"): each port is swept on its bus's one link
/// (from <paramref name="busOf"/>, the link its configured devices poll on), while those devices go on polling; the unit
/// ids they use are left out. Each SunSpec or register-map device found is handed to <paramref name="start"/> at once.
/// </summary>
internal sealed partial class SerialDiscovery(Func<SerialOptions, ModbusRtuLink> busOf, SunSpecModelCatalog catalog, RegisterMapCatalog maps, ILogger logger)
{
    public Task RunAsync(DiscoveryOptions options, IReadOnlyList<DeviceOptions> configured, Action<DeviceOptions> start, CancellationToken cancellationToken)
        => Task.WhenAll(options.Serial.Select(sweep => SweepAsync(sweep, configured, start, cancellationToken)));

    private async Task SweepAsync(SerialSweepOptions sweep, IReadOnlyList<DeviceOptions> configured, Action<DeviceOptions> start, CancellationToken cancellationToken)
    {
        var taken = configured.Where(d => d.IsSerial && d.Serial.Port == sweep.Port).Select(d => d.UnitId).ToHashSet();
        var units = sweep.UnitIds.Where(u => !taken.Contains(u)).ToList();
        Log.SweepStarted(logger, sweep.Port, units.Count, sweep.ProbeTimeout.TotalMilliseconds, taken.Count);
        var found = 0;
        try
        {
            await foreach (var unit in new SerialSweep(busOf(sweep), catalog, maps).SweepAsync(units, sweep.ProbeTimeout, null, cancellationToken).ConfigureAwait(false))
            {
                if (unit.Answer is not (UnitAnswer.SunSpec or UnitAnswer.Map))
                {
                    Log.UnitNotRead(logger, sweep.Port, unit.UnitId, unit.Answer.ToString());
                    continue;
                }
                Log.DeviceFound(logger, sweep.Port, unit.UnitId, unit.Map ?? "SunSpec", unit.Manufacturer ?? "", unit.Model ?? "");
                start(new DeviceOptions
                {
                    Type = unit.Map is null ? DeviceTypes.SunSpec : DeviceTypes.Map, Map = unit.Map, Transport = ModbusTransports.Rtu, Serial = sweep, UnitId = unit.UnitId,
                });
                found++;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            // The port is missing or broke (ModbusCommunicationException), or a unit answered what no probe expected:
            // the sweep stops, never the agent; the devices configured on the port are retried by their pollers.
            Log.SweepFailed(logger, sweep.Port, ex.Message, ex);
            return;
        }
        Log.SweepFinished(logger, sweep.Port, found);
    }

    private static partial class Log
    {
        [LoggerMessage(2240, LogLevel.Information, "Discovery: sweeping {Port} for {Units} unit id(s), {TimeoutMs:0} ms each ({Configured} configured unit(s) left out)")]
        public static partial void SweepStarted(ILogger logger, string port, int units, double timeoutMs, int configured);

        [LoggerMessage(2241, LogLevel.Information, "Discovery: found {Kind} device on {Port} unit {UnitId}: {Manufacturer} {Model}")]
        public static partial void DeviceFound(ILogger logger, string port, int unitId, string kind, string manufacturer, string model);

        [LoggerMessage(2242, LogLevel.Information, "Discovery: {Port} unit {UnitId} answers ({Answer}) but is neither SunSpec nor a known register map; add it by hand")]
        public static partial void UnitNotRead(ILogger logger, string port, int unitId, string answer);

        [LoggerMessage(2243, LogLevel.Information, "Discovery: sweep of {Port} finished: {Found} device(s) found")]
        public static partial void SweepFinished(ILogger logger, string port, int found);

        [LoggerMessage(2244, LogLevel.Warning, "Discovery: the sweep of {Port} stopped: {Reason}")]
        public static partial void SweepFailed(ILogger logger, string port, string reason, Exception error);
    }
}
