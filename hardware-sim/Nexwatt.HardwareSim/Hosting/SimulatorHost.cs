using System.Net.Sockets;
using Nexwatt.HardwareSim.Simulation;
using Nexwatt.HardwareSim.Site;
using Nexwatt.HardwareSim.Status;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.HardwareSim.Hosting;

/// <summary>
/// Runs a plan: builds the devices, binds every listener, prints the READY lines, then shows status until
/// cancelled (SIGINT/SIGTERM) and shuts the listeners down.
/// </summary>
internal sealed class SimulatorHost(SimulationPlan plan, SunSpecModelCatalog catalog, TimeProvider time, TextWriter output, TextWriter error,
    SerialServePlan? serial = null)
{
    /// <summary>Exit code when a listener cannot bind (port taken, address not local).</summary>
    public const int ListenFailed = 3;

    /// <summary>Starts everything; null when a listener failed to bind (already reported).</summary>
    /// <param name="writeLog">
    /// When true, every Modbus write a device accepted prints one plain line, <c>WRITE battery-1 address=40072 count=4</c>,
    /// so that a test can prove that a master wrote nothing. Off under the live table, which owns the terminal.
    /// </param>
    public async Task<RunningSimulation?> StartAsync(bool writeLog = false)
    {
        Action<Devices.SimulatedDevice, ushort, int>? onWrite = writeLog ? WriteLine : null;
        var simulation = new SiteSimulation(plan, catalog, time, ex => error.WriteLine($"ERROR simulation tick failed: {ex}"));
        var listeners = new List<RunningListener>();
        foreach (var listener in plan.Listeners)
        {
            try
            {
                listeners.Add(RunningListener.Start(listener, name => simulation.Find(name)!, time, onWrite));
            }
            catch (SocketException ex)
            {
                await error.WriteLineAsync($"ERROR cannot listen on {listener.Endpoint} for {string.Join(", ", listener.Devices.Select(d => d.Name))}: {ex.Message}").ConfigureAwait(false);
                foreach (var started in listeners) await started.DisposeAsync().ConfigureAwait(false);
                simulation.Dispose();
                return null;
            }
        }
        SerialListener? serialListener = null;
        if (serial is not null)
        {
            try
            {
                serialListener = await SerialListener.StartAsync(serial, simulation.Devices, plan.Devices.ToDictionary(d => d.Name, d => d.UnitId), time, onWrite).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Protocols.Modbus.ModbusCommunicationException or ArgumentException)
            {
                await error.WriteLineAsync($"ERROR cannot serve RTU on {serial.Port}: {ex.Message}").ConfigureAwait(false);
                foreach (var started in listeners) await started.DisposeAsync().ConfigureAwait(false);
                simulation.Dispose();
                return null;
            }
        }
        simulation.Start(SiteSimulation.DefaultTickPeriod);
        return new RunningSimulation(simulation, listeners, serialListener);
    }

    public async Task<int> RunAsync(bool liveTable, TextReader? commands, CancellationToken cancellationToken)
    {
        var running = await StartAsync(writeLog: !liveTable).ConfigureAwait(false);
        if (running is null) return ListenFailed;
        await using (running.ConfigureAwait(false))
        {
            foreach (var listener in running.Listeners)
                foreach (var (unit, device) in listener.Devices)
                    await output.WriteLineAsync(ReadyLine.For(device, unit, listener.Endpoint, device.BaseAddress)).ConfigureAwait(false);
            if (running.Serial is { } rtu)
                await output.WriteLineAsync($"SERIAL port={rtu.Port} units={string.Join(",", rtu.Devices.Select(d => d.UnitId))}").ConfigureAwait(false);
            await output.WriteLineAsync(ReadyLine.AllReady).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);

            var status = new StatusSource(running.Simulation, running.Listeners, plan.Site.TimeZone);
            var console = new ConsoleCommands(running.Simulation, output);
            // Standard input may never end (a terminal) and a blocked read cannot always be cancelled: do not await it.
            if (commands is not null) _ = Task.Run(() => console.RunAsync(commands, cancellationToken), CancellationToken.None);
            if (liveTable) await LiveStatusTable.RunAsync(status, time, cancellationToken).ConfigureAwait(false);
            else await PlainStatusReporter.RunAsync(status, output, time, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync("STOPPING").ConfigureAwait(false);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        return 0;
    }

    // Called on the Modbus server's threads; the standard output writer is synchronized and flushes every line.
    private void WriteLine(Devices.SimulatedDevice device, ushort address, int count)
        => output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"WRITE {device.Name} address={address} count={count}"));
}

/// <summary>A started simulation with its listeners; disposing stops the listeners and the ticks.</summary>
internal sealed class RunningSimulation(SiteSimulation simulation, IReadOnlyList<RunningListener> listeners, SerialListener? serial = null) : IAsyncDisposable
{
    public SerialListener? Serial { get; } = serial;

    public SiteSimulation Simulation { get; } = simulation;

    public IReadOnlyList<RunningListener> Listeners { get; } = listeners;

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in Listeners) await listener.DisposeAsync().ConfigureAwait(false);
        if (Serial is not null) await Serial.DisposeAsync().ConfigureAwait(false);
        Simulation.Dispose();
    }
}
