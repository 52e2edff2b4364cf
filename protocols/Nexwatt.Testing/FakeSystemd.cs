using System.Net.Sockets;
using System.Text;

namespace Nexwatt.Testing;

/// <summary>
/// One of our services run as systemd runs a Type=notify unit: a Unix datagram socket stands in for systemd's
/// notification socket (NOTIFY_SOCKET), and the service's parent process is named "systemd", which is how
/// Microsoft.Extensions.Hosting.Systemd recognizes a service (a bash named "systemd" starts it and waits).
/// </summary>
public sealed class FakeSystemd : IAsyncDisposable
{
    private readonly string _folder;
    private readonly Socket _socket;
    private readonly string _pidFile;

    private FakeSystemd(string folder, Socket socket, PeerProcess service, string pidFile) =>
        (_folder, _socket, Service, _pidFile) = (folder, socket, service, pidFile);

    /// <summary>The "systemd" parent with the service as its child; its log is the service's.</summary>
    public PeerProcess Service { get; }

    /// <summary>Starts <paramref name="command"/> under a fake systemd that asks for a watchdog every <paramref name="watchdog"/>.</summary>
    public static FakeSystemd Start(IReadOnlyList<string> command, TimeSpan watchdog, IDictionary<string, string> environment)
    {
        var folder = Directory.CreateTempSubdirectory("nexwatt-systemd-").FullName;
        var socketPath = Path.Combine(folder, "notify.sock");
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var parent = Path.Combine(folder, "systemd");
        File.CreateSymbolicLink(parent, "/bin/bash");
        var pidFile = Path.Combine(folder, "service.pid");
        var variables = new Dictionary<string, string>(environment)
        {
            ["NOTIFY_SOCKET"] = socketPath,
            ["WATCHDOG_USEC"] = ((long)watchdog.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var service = PeerProcess.Start(parent, ["-c", $"\"$0\" \"$@\" & echo $! > '{pidFile}'; wait $!", .. command], variables);
        return new FakeSystemd(folder, socket, service, pidFile);
    }

    /// <summary>The next notification (READY=1, WATCHDOG=1, STATUS=...), or a failure with the service's log.</summary>
    public async Task<string> ReceiveAsync(TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            var received = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token).ConfigureAwait(false);
            return Encoding.UTF8.GetString(buffer, 0, received);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"nothing from the service on the notification socket within {timeout}:\n{Service.Log}");
        }
    }

    /// <summary>Notifications until one satisfies <paramref name="match"/>, which is returned.</summary>
    public async Task<string> ReceiveUntilAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var state = await ReceiveAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)).ConfigureAwait(false);
            if (match(state)) return state;
        }
    }

    /// <summary>SIGTERM to the service itself (not its parent), as systemctl stop sends it.</summary>
    public async Task TerminateAsync()
    {
        var pid = (await File.ReadAllTextAsync(_pidFile).ConfigureAwait(false)).Trim();
        await using var kill = PeerProcess.Start("/bin/kill", ["-TERM", pid]);
        await kill.WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
