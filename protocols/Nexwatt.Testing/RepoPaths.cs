namespace Nexwatt.Testing;

/// <summary>Where tests find the repository, the shared reference data and the built tools.</summary>
public static class RepoPaths
{
    /// <summary>The folder that holds Nexwatt.Edge.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// Third-party reference data (SunSpec models, device images, Enphase captures), read in place and never
    /// copied into the project. Overridable with NEXWATT_SHARED_REFERENCE for checkouts that live elsewhere.
    /// </summary>
    public static string SharedReference
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("NEXWATT_SHARED_REFERENCE");
            var path = string.IsNullOrEmpty(configured) ? Path.GetFullPath(Path.Combine(Root, "..", "shared", "reference")) : configured;
            if (!Directory.Exists(path))
                throw new DirectoryNotFoundException($"Shared reference data not found at {path}; set NEXWATT_SHARED_REFERENCE.");
            return path;
        }
    }

    /// <summary>
    /// The built assembly of one of our executables (e.g. "hardware-sim" from project Nexwatt.HardwareSim),
    /// from the same build as the running test, in either the classic bin/ layout or an --artifacts-path layout.
    /// </summary>
    public static string BuiltTool(string projectName, string assemblyName)
    {
        var testDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var configuration = typeof(RepoPaths).Assembly.Location.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.OrdinalIgnoreCase)
            || testDir.Contains($"{Path.DirectorySeparatorChar}release", StringComparison.Ordinal) ? "Release" : "Debug";
        var candidates = new List<string>();
        // --artifacts-path layout: <artifacts>/bin/<Project>/<config>/
        var configDir = new DirectoryInfo(testDir);
        if (configDir.Parent?.Parent is { Name: "bin" } binDir)
            candidates.Add(Path.Combine(binDir.FullName, projectName, configDir.Name, assemblyName + ".dll"));
        foreach (var folder in Directory.EnumerateDirectories(Root, projectName, SearchOption.AllDirectories))
            candidates.Add(Path.Combine(folder, "bin", configuration, "net10.0", assemblyName + ".dll"));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"Built {assemblyName}.dll not found; looked in: {string.Join(", ", candidates)}. Build the solution first.");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Nexwatt.Edge.sln"))) return dir.FullName;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Nexwatt.Edge.sln"))) return dir.FullName;
        var baked = typeof(RepoPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "NexwattRepoRoot")?.Value;
        if (baked is not null && File.Exists(Path.Combine(baked, "Nexwatt.Edge.sln"))) return baked;
        throw new DirectoryNotFoundException("Nexwatt.Edge.sln not found above the test's folder.");
    }
}
