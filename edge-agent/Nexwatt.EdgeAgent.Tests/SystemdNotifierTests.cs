using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Hosting;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests;

public class SystemdNotifierTests
{
    [Fact]
    public async Task Tells_systemd_ready_then_pets_the_watchdog_at_half_its_period_then_stopping()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nexwatt-notify-{Guid.NewGuid():N}.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            var time = new FakeTimeProvider();
            using var notifier = new SystemdNotifier(time, NullLogger<SystemdNotifier>.Instance, path, TimeSpan.FromSeconds(30));

            await notifier.StartedAsync(CancellationToken.None);
            Assert.StartsWith("READY=1", Receive(systemd));

            time.Advance(TimeSpan.FromSeconds(15));
            Assert.Equal("WATCHDOG=1", Receive(systemd));
            time.Advance(TimeSpan.FromSeconds(15));
            Assert.Equal("WATCHDOG=1", Receive(systemd));

            await notifier.StoppingAsync(CancellationToken.None);
            Assert.Equal("STOPPING=1", Receive(systemd));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task Stops_feeding_the_watchdog_while_the_agent_is_unhealthy_and_resumes_when_it_recovers()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nexwatt-notify-{Guid.NewGuid():N}.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            var time = new FakeTimeProvider();
            var healthy = true;
            using var notifier = new SystemdNotifier(time, NullLogger<SystemdNotifier>.Instance, path, TimeSpan.FromSeconds(30), () => healthy);
            await notifier.StartedAsync(CancellationToken.None);
            Assert.StartsWith("READY=1", Receive(systemd));
            time.Advance(TimeSpan.FromSeconds(15));
            Assert.Equal("WATCHDOG=1", Receive(systemd));

            healthy = false;
            time.Advance(TimeSpan.FromSeconds(15));
            Assert.Equal(SystemdNotifier.UnhealthyStatus, Receive(systemd));
            time.Advance(TimeSpan.FromSeconds(15));
            Assert.Equal(SystemdNotifier.UnhealthyStatus, Receive(systemd));

            healthy = true;
            time.Advance(TimeSpan.FromSeconds(15));
            Assert.Equal("STATUS=Polling devices", Receive(systemd));
            Assert.Equal("WATCHDOG=1", Receive(systemd));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public async Task Does_nothing_and_fails_nothing_outside_systemd()
    {
        using var notifier = new SystemdNotifier(new FakeTimeProvider(), NullLogger<SystemdNotifier>.Instance, socketPath: "", watchdogPeriod: null);
        Assert.False(notifier.Enabled);
        await notifier.StartedAsync(CancellationToken.None);
        await notifier.StoppingAsync(CancellationToken.None);
    }

    private static string Receive(Socket socket)
    {
        socket.ReceiveTimeout = 5000;
        var buffer = new byte[256];
        return Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer));
    }
}
