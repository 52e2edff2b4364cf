namespace Nexwatt.Bench.Harness;

/// <summary>
/// One client under test. The harness interleaves contenders round by round (round 1 of every contender, then
/// round 2...), so that a burst of background load on this small machine hits all of them alike.
/// </summary>
internal interface IContender : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Requests the contender keeps in flight on its one connection.</summary>
    int InFlight { get; }

    /// <summary>Runs <paramref name="warmupSeconds"/> unmeasured, then one measured round of <paramref name="seconds"/>.</summary>
    Task<RoundResult> RunRoundAsync(double warmupSeconds, double seconds, CancellationToken cancellationToken);
}
