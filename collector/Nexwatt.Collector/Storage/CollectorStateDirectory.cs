namespace Nexwatt.Collector.Storage;

/// <summary>
/// Where the collector keeps its SQLite database and generated signing key when no path is configured: systemd's
/// <c>STATE_DIRECTORY</c> (the unit's <c>StateDirectory=nexwatt-collector</c>), else <c>/var/lib/nexwatt-collector</c>
/// when it exists and this user may write there (the package creates it), else the per-user
/// <c>$XDG_STATE_HOME/nexwatt-collector</c> (<c>~/.local/state/nexwatt-collector</c>) for a developer's run.
/// Never the binary's folder: an upgrade replaces that, and a service user should not be able to write it.
/// </summary>
internal static class CollectorStateDirectory
{
    public const string SystemPath = "/var/lib/nexwatt-collector";

    public static string Resolve() => Resolve(Environment.GetEnvironmentVariable, IsWritableFolder);

    internal static string Resolve(Func<string, string?> environment, Func<string, bool> writable)
    {
        // systemd may list several state directories separated by ':'; the unit names one.
        if (environment("STATE_DIRECTORY") is { Length: > 0 } state) return state.Split(':')[0];
        if (writable(SystemPath)) return SystemPath;
        var xdg = environment("XDG_STATE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(xdg, "nexwatt-collector");
    }

    private static bool IsWritableFolder(string path)
    {
        if (!Directory.Exists(path)) return false;
        try
        {
            var probe = Path.Combine(path, $".write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
    }
}
