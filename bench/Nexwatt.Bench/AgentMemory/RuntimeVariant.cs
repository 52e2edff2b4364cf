namespace Nexwatt.Bench.AgentMemory;

/// <summary>One runtime setting measured against the shipped agent: a name for the table and the environment it adds.</summary>
internal sealed record RuntimeVariant(string Name, IReadOnlyDictionary<string, string> Environment)
{
    public string Describe() => Environment.Count == 0 ? "(as published)" : string.Join(' ', Environment.Select(e => $"{e.Key}={e.Value}"));

    /// <summary>
    /// The settings the issue asks to measure, each alone on top of what the package ships (its runtimeconfig.json and
    /// the systemd unit's environment), so every row says what that one setting costs or saves. "unit" is the package as
    /// systemd runs it; "bare" is the same binary without the unit's variables.
    /// </summary>
    public static IReadOnlyList<RuntimeVariant> All(IReadOnlyDictionary<string, string> unitEnvironment) =>
    [
        new("unit", unitEnvironment),
        new("bare", new Dictionary<string, string>()),
        With(unitEnvironment, "server-gc", ("DOTNET_gcServer", "1")),
        With(unitEnvironment, "concurrent-gc", ("DOTNET_gcConcurrent", "1")),
        With(unitEnvironment, "gen0-4mb", ("DOTNET_GCgen0size", "0x400000")),
        With(unitEnvironment, "gen0-2mb", ("DOTNET_GCgen0size", "0x200000")),
        With(unitEnvironment, "gen0-1mb", ("DOTNET_GCgen0size", "0x100000")),
        With(unitEnvironment, "gen0-512kb", ("DOTNET_GCgen0size", "0x80000")),
        With(unitEnvironment, "gen0-default", ("DOTNET_GCgen0size", "0")),
        With(unitEnvironment, "regions-1mb", ("DOTNET_GCRegionSize", "0x100000")),
        With(unitEnvironment, "hard-limit-32mb", ("DOTNET_GCHeapHardLimit", "0x2000000")),
        With(unitEnvironment, "conserve-memory", ("DOTNET_GCConserveMemory", "5")),
        With(unitEnvironment, "segments-gc", ("DOTNET_GCName", "libclrgc.so")),
        With(unitEnvironment, "tiered", ("DOTNET_TieredCompilation", "1")),
        With(unitEnvironment, "tiered-no-pgo", ("DOTNET_TieredCompilation", "1"), ("DOTNET_TieredPGO", "0")),
        With(unitEnvironment, "tiered-no-quick-loops", ("DOTNET_TieredCompilation", "1"), ("DOTNET_TC_QuickJitForLoops", "0")),
        With(unitEnvironment, "no-ready-to-run", ("DOTNET_ReadyToRun", "0")),
        With(unitEnvironment, "no-w^x", ("DOTNET_EnableWriteXorExecute", "0")),
        With(unitEnvironment, "malloc-arenas-2", ("MALLOC_ARENA_MAX", "2")),
        // The package's runtimeconfig.json sets the spin limit to 0; this row is the runtime's default spinning.
        With(unitEnvironment, "pool-spin-default", ("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "70")),
    ];

    private static RuntimeVariant With(IReadOnlyDictionary<string, string> baseline, string name, params (string Key, string Value)[] settings)
    {
        var environment = new Dictionary<string, string>(baseline);
        foreach (var (key, value) in settings) environment[key] = value;
        return new RuntimeVariant(name, environment);
    }
}
