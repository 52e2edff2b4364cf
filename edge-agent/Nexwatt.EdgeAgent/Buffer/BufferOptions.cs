namespace Nexwatt.EdgeAgent.Buffer;

/// <summary>The durable reading buffer: configuration section "Agent:Buffer".</summary>
public sealed class BufferOptions
{
    /// <summary>
    /// 256 MiB: a small share of an 8-16 GB SD card, reused in place once reached. A stored reading costs ~47 bytes
    /// (bench), so this holds ~5.7 million readings: a week of backlog for a site producing ~9 readings/s (e.g. two
    /// devices, ~50 points each, every 10 s), but only ~1.6 days for an inverter + battery read in full every 5 s
    /// (~41 readings/s, measured with hardware-sim). Raise it where outages last longer than that.
    /// </summary>
    public const long DefaultMaxBytes = 256L * 1024 * 1024;

    /// <summary>
    /// The database file. Empty means $STATE_DIRECTORY/buffer.db when systemd sets STATE_DIRECTORY (the unit's
    /// StateDirectory=nexwatt-agent, i.e. /var/lib/nexwatt-agent), else $XDG_STATE_HOME/nexwatt-agent/buffer.db,
    /// else ~/.local/state/nexwatt-agent/buffer.db.
    /// </summary>
    public string Path { get; set; } = "";

    /// <summary>Used bytes in the file above which the oldest chunks are evicted (and announced as a gap).</summary>
    public long MaxBytes { get; set; } = DefaultMaxBytes;

    /// <summary>Eviction frees space down to this share of <see cref="MaxBytes"/>, so that it runs in rounds, not on every commit.</summary>
    public int LowWaterPercent { get; set; } = 90;

    /// <summary>
    /// Longest time a reading waits for its group commit. Every poll arriving meanwhile shares one transaction
    /// and one fsync: 250 ms is invisible next to a 5 s poll interval and caps the agent at four fsyncs a second.
    /// </summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Commit at once when this many readings wait, bounding a transaction's size and memory.</summary>
    public int CommitMaxReadings { get; set; } = 10_000;

    /// <summary>How long the buffer waits before trying again to open a store it could not open (disk full, folder not writable).</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Readings kept in memory while the buffer cannot store them (disk full, file gone read-only), appended again
    /// once it can; past this the oldest are lost and announced as a gap. 100,000 readings is about 10 MB and 40
    /// minutes of an inverter and a battery read in full every 5 s.
    /// </summary>
    public int MaxReadingsHeldInMemory { get; set; } = 100_000;

    /// <summary>The file to use: <see cref="Path"/>, or the state directory default.</summary>
    public string EffectivePath => Path is { Length: > 0 } configured ? System.IO.Path.GetFullPath(configured) : DefaultPath();

    internal long LowWaterBytes => MaxBytes / 100 * LowWaterPercent;

    private static string DefaultPath()
    {
        // systemd may list several state directories separated by ':'; the unit names one.
        if (Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } state)
            return System.IO.Path.Combine(state.Split(':')[0], "buffer.db");
        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } x
            ? x : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return System.IO.Path.Combine(xdg, "nexwatt-agent", "buffer.db");
    }

    /// <summary>Adds a message per invalid setting, naming its configuration key.</summary>
    internal void Validate(ICollection<string> problems)
    {
        const string key = "Agent:Buffer";
        if (Path.Length > 0 && (Path.EndsWith('/') || Directory.Exists(Path)))
            problems.Add($"{key}:Path '{Path}' is a folder; name the database file, e.g. '{System.IO.Path.Combine(Path, "buffer.db")}'.");
        if (MaxBytes < 1024 * 1024)
            problems.Add($"{key}:MaxBytes {MaxBytes} is below the 1 MiB floor (default {DefaultMaxBytes}, 256 MiB).");
        if (LowWaterPercent is < 10 or > 99)
            problems.Add($"{key}:LowWaterPercent {LowWaterPercent} is out of range (10-99).");
        if (CommitInterval < TimeSpan.FromMilliseconds(1) || CommitInterval > TimeSpan.FromSeconds(10))
            problems.Add($"{key}:CommitInterval {CommitInterval} is out of range (1 ms to 10 s); the default is 250 ms.");
        if (CommitMaxReadings is < 1 or > 1_000_000)
            problems.Add($"{key}:CommitMaxReadings {CommitMaxReadings} is out of range (1-1000000).");
        if (MaxReadingsHeldInMemory is < 0 or > 10_000_000)
            problems.Add($"{key}:MaxReadingsHeldInMemory {MaxReadingsHeldInMemory} is out of range (0-10000000).");
        if (RetryInterval < TimeSpan.FromMilliseconds(10))
            problems.Add($"{key}:RetryInterval {RetryInterval} is below the 10 ms floor.");
    }
}
