using System.Net.Sockets;
using System.Text;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>
/// The real agent as systemd runs it (Type=notify, WatchdogSec=): a Unix datagram socket stands in for systemd's
/// notification socket, and the agent's parent process is named "systemd", which is how
/// Microsoft.Extensions.Hosting.Systemd recognizes a service. READY from the package, WATCHDOG=1 from our watchdog at
/// half the period, STOPPING on SIGTERM.
/// </summary>
public sealed class SystemdServiceTests
{
    [Fact]
    public async Task Under_systemd_the_agent_says_ready_feeds_the_watchdog_at_half_its_period_and_says_stopping_on_sigterm()
    {
        var folder = Directory.CreateTempSubdirectory("nexwatt-systemd-").FullName;
        try
        {
            var socketPath = Path.Combine(folder, "notify.sock");
            using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            systemd.Bind(new UnixDomainSocketEndPoint(socketPath));
            var parent = Path.Combine(folder, "systemd");
            File.CreateSymbolicLink(parent, "/bin/bash");
            var pidFile = Path.Combine(folder, "agent.pid");

            // bash named "systemd" starts the agent as its child and waits, so the agent's parent is "systemd".
            await using var service = PeerProcess.Start(parent,
                ["-c", $"\"$0\" \"$@\" & echo $! > '{pidFile}'; wait $!", PeerProcess.DotnetHost, RepoPaths.BuiltTool("Nexwatt.EdgeAgent", "nexwatt-agent"), "run"],
                new Dictionary<string, string>
                {
                    ["NOTIFY_SOCKET"] = socketPath,
                    ["WATCHDOG_USEC"] = "2000000",
                    ["NEXWATT_Agent__SiteId"] = "site-systemd",
                    ["NEXWATT_Agent__Buffer__Path"] = Path.Combine(folder, "buffer.db"),
                    // A device nobody answers for: its poller fails and backs off, and stays live doing so.
                    ["NEXWATT_Agent__Devices__0__Host"] = "127.0.0.1",
                    ["NEXWATT_Agent__Devices__0__Port"] = "1",
                });

            Assert.Equal("READY=1", await ReceiveAsync(systemd, TimeSpan.FromSeconds(60), service));
            var watchdogs = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (watchdogs < 3)
                if (await ReceiveAsync(systemd, TimeSpan.FromSeconds(10), service) == "WATCHDOG=1") watchdogs++;
            // Three at a 1 s cadence (half of 2 s): never faster than the period asks, and not much slower.
            Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 8);

            var pid = (await File.ReadAllTextAsync(pidFile)).Trim();
            await using (var kill = PeerProcess.Start("/bin/kill", ["-TERM", pid])) await kill.WaitForExitAsync(TimeSpan.FromSeconds(10));
            string state;
            do state = await ReceiveAsync(systemd, TimeSpan.FromSeconds(30), service);
            while (state == "WATCHDOG=1");
            Assert.Equal("STOPPING=1", state);
            Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket, TimeSpan timeout, PeerProcess service)
    {
        var buffer = new byte[4096];
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
            return Encoding.UTF8.GetString(buffer, 0, received);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"nothing from the agent on the notification socket within {timeout}:\n{service.Log}");
        }
    }
}
