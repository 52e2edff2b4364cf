namespace Nexwatt.Testing;

/// <summary>
/// Two connected pseudo-terminals made by socat (`socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`): a
/// serial "cable" for Modbus RTU tests. Whatever is written to one end comes out of the other, at pty speed.
/// Fails loudly when socat is missing or does not come up.
/// </summary>
public sealed class PtyPair : IAsyncDisposable
{
    private readonly PeerProcess _socat;
    private readonly string _directory;

    private PtyPair(PeerProcess socat, string directory)
    {
        _socat = socat;
        _directory = directory;
    }

    /// <summary>The first end (a symlink to /dev/pts/N).</summary>
    public string A => Path.Combine(_directory, "A");

    /// <summary>The second end.</summary>
    public string B => Path.Combine(_directory, "B");

    /// <summary>The /dev/pts path the symlink <paramref name="end"/> points at (mbpoll wants a real device name).</summary>
    public static string Device(string end) => new FileInfo(end).LinkTarget ?? end;

    public static async Task<PtyPair> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("nx-pty-").FullName;
        var socat = PeerProcess.Start("/usr/bin/socat",
            ["-d", "-d", $"pty,raw,echo=0,link={Path.Combine(directory, "A")}", $"pty,raw,echo=0,link={Path.Combine(directory, "B")}"]);
        try
        {
            // socat logs this once both ptys and their links exist.
            await socat.WaitForLineAsync(l => l.Contains("starting data transfer loop", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        }
        catch (Exception ex)
        {
            var log = socat.Log;
            await socat.DisposeAsync();
            throw new InvalidOperationException($"socat did not make a pty pair: {ex.Message}\n{log}", ex);
        }
        return new PtyPair(socat, directory);
    }

    public async ValueTask DisposeAsync()
    {
        await _socat.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }
}
