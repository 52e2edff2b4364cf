using System.Diagnostics;
using System.Text;

namespace Nexwatt.Testing;

/// <summary>
/// A real peer (pymodbus, mbpoll, hardware-sim, a broker...) started by a test. It is killed with its
/// process tree on dispose; if it cannot start or exits early, the test fails with the peer's own log.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly object _gate = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];

    private int _disposed;

    private PeerProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Everything the peer wrote so far, stdout and stderr interleaved.</summary>
    public string Log { get { lock (_gate) return _log.ToString(); } }

    /// <summary>Starts <paramref name="fileName"/>; a missing executable fails with a message naming it.</summary>
    public static PeerProcess Start(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        if (environment is not null) foreach (var (key, value) in environment) info.Environment[key] = value;
        Process process;
        try
        {
            process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var peer = new PeerProcess(process);
            process.OutputDataReceived += (_, e) => peer.OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => peer.OnLine(e.Data);
            if (!process.Start()) throw new InvalidOperationException($"{fileName} did not start.");
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return peer;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"Cannot start the real peer '{fileName}': {ex.Message}. Run bash scripts/test.sh, which installs the test peers.", ex);
        }
    }

    /// <summary>Starts one of our own built executables (e.g. hardware-sim) with the running dotnet host.</summary>
    public static PeerProcess StartDotnetTool(string projectName, string assemblyName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
        => Start(DotnetHost, new[] { RepoPaths.BuiltTool(projectName, assemblyName) }.Concat(arguments), environment);

    /// <summary>The dotnet executable running this test.</summary>
    public static string DotnetHost => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet"
        ? p : Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..", "dotnet");

    /// <summary>Waits for an output line that satisfies <paramref name="match"/> and returns it.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            foreach (var line in _log.ToString().Split('\n'))
                if (match(line.TrimEnd('\r'))) return line.TrimEnd('\r');
            _waiters.Add((match, seen));
        }
        var exited = _process.WaitForExitAsync(cancellationToken);
        var finished = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
        if (finished == seen.Task) return await seen.Task.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var why = finished == exited ? $"exited with code {SafeExitCode()}" : $"printed nothing expected within {timeout.TotalSeconds:0.#} s";
        throw new InvalidOperationException($"Peer '{_process.StartInfo.FileName} {string.Join(' ', _process.StartInfo.ArgumentList)}' {why}. Its log:\n{Log}");
    }

    /// <summary>Waits for the peer to exit and returns its exit code; a peer that hangs is killed and fails the test.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            _process.WaitForExit(); // flushes the redirected streams
            return _process.ExitCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill();
            throw new TimeoutException($"Peer '{_process.StartInfo.FileName}' did not exit within {timeout.TotalSeconds:0.#} s. Its log:\n{Log}");
        }
    }

    /// <summary>Sends SIGKILL to the peer and its children.</summary>
    public void Kill()
    {
        if (Volatile.Read(ref _disposed) == 1) return;
        KillTree();
    }

    private void KillTree()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        // Idempotent: a test may stop a peer early (an outage) and still hold it in an await using.
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        KillTree();
        try { await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false); }
        catch (TimeoutException) { }
        _process.Dispose();
    }

    private int SafeExitCode() { try { return _process.ExitCode; } catch (InvalidOperationException) { return -1; } }

    private void OnLine(string? line)
    {
        if (line is null) return;
        List<TaskCompletionSource<string>> hits = [];
        lock (_gate)
        {
            _log.AppendLine(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
                if (_waiters[i].Match(line)) { hits.Add(_waiters[i].Seen); _waiters.RemoveAt(i); }
        }
        foreach (var hit in hits) hit.TrySetResult(line);
    }
}
