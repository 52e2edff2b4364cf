using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Hosting;

/// <summary>
/// The sd_notify protocol (sd_notify(3)): READY=1 once the host has started, WATCHDOG=1 at half the
/// watchdog period systemd asks for, STOPPING=1 on shutdown; datagrams to the NOTIFY_SOCKET unix socket.
/// Outside systemd (no NOTIFY_SOCKET) it does nothing. Microsoft.Extensions.Hosting.Systemd is not available here.
/// While <paramref name="healthy"/> says no (the buffer cannot store readings) the watchdog is not fed and STATUS= says
/// why: an agent that keeps polling but cannot keep what it reads is restarted by systemd (WatchdogSec=), not left
/// looking up.
/// </summary>
internal sealed class SystemdNotifier(TimeProvider time, ILogger<SystemdNotifier> logger, string? socketPath = null, TimeSpan? watchdogPeriod = null,
    Func<bool>? healthy = null)
    : IHostedLifecycleService, IDisposable
{
    internal const string UnhealthyStatus = "STATUS=Unhealthy: the reading buffer cannot store readings (held in memory, retrying); watchdog not fed";
    private bool _withheld;

    private readonly string? _socketPath = socketPath ?? Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
    private readonly TimeSpan? _watchdog = watchdogPeriod ?? ReadWatchdogPeriod();
    private ITimer? _timer;

    public bool Enabled => !string.IsNullOrEmpty(_socketPath);

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (!Enabled) return Task.CompletedTask;
        Send("READY=1\nSTATUS=Polling devices");
        if (_watchdog is { } period && period > TimeSpan.Zero)
            _timer = time.CreateTimer(_ => Tick(), null, period / 2, period / 2);
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        if (Enabled) Send("STOPPING=1");
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _timer?.Dispose();

    private void Tick()
    {
        if (healthy?.Invoke() ?? true)
        {
            if (_withheld)
            {
                _withheld = false;
                Log.WatchdogResumed(logger);
                Send("STATUS=Polling devices");
            }
            Send("WATCHDOG=1");
            return;
        }
        if (!_withheld)
        {
            _withheld = true;
            Log.WatchdogWithheld(logger);
        }
        Send(UnhealthyStatus);
    }

    internal void Send(string state)
    {
        // An abstract socket name starts with '@' in the variable and with a NUL byte on the wire.
        var path = _socketPath!.StartsWith('@') ? "\0" + _socketPath[1..] : _socketPath;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex)
        {
            // systemd going away must never take the agent down with it.
            Log.SystemdNotifyFailed(logger, state.Split('\n')[0], ex);
        }
    }

    private static TimeSpan? ReadWatchdogPeriod() =>
        long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out var usec) && usec > 0 ? TimeSpan.FromMicroseconds(usec) : null;
}
