using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Observability.Status;

/// <summary>
/// Answers `nexwatt-agent status` on a Unix socket: one JSON document per connection, then the connection closes.
/// The socket file is mode 0660 (the service user and its group); the folder's mode (RuntimeDirectoryMode) decides who
/// else may reach it. A socket that cannot be made is a warning: polling matters more than the status command.
/// </summary>
internal sealed class StatusSocketService(IReadOnlyList<string> candidates, StatusDocument document, ILogger<StatusSocketService> logger) : BackgroundService
{
    /// <summary>The socket file in use; null while there is none.</summary>
    public string? Path { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (candidates.Count == 0) return;
        using var listener = Bind();
        if (listener is null) return;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                using var client = await listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
                try
                {
                    await client.SendAsync(document.Write(), SocketFlags.None, stoppingToken).ConfigureAwait(false);
                    client.Shutdown(SocketShutdown.Both);
                }
                catch (SocketException) { /* the asker went away */ }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            TryDelete(Path!);
        }
    }

    private Socket? Bind()
    {
        var reason = "";
        foreach (var path in candidates)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                var folder = System.IO.Path.GetDirectoryName(path)!;
                // The default folder is systemd's RuntimeDirectory: made by the unit, never by us as root-owned /run.
                if (path != StatusSocketPaths.Default) Directory.CreateDirectory(folder);
                // A file left by an agent that was killed would make bind fail with "address in use"; a live one is kept.
                if (File.Exists(path) && !Answers(path)) TryDelete(path);
                socket.Bind(new UnixDomainSocketEndPoint(path));
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
                socket.Listen(8);
                Path = path;
                StatusLog.Listening(logger, path);
                return socket;
            }
            catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
            {
                socket.Dispose();
                reason = $"{path}: {ex.Message}";
                if (path != candidates[^1]) StatusLog.FallingBack(logger, path, ex.Message);
            }
        }
        StatusLog.Unavailable(logger, reason);
        return null;
    }

    private static bool Answers(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try { probe.Connect(new UnixDomainSocketEndPoint(path)); return true; }
        catch (SocketException) { return false; }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }
}
