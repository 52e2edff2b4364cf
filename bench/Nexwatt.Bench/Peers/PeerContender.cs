using System.Globalization;
using System.Text.RegularExpressions;
using Nexwatt.Bench.Harness;
using Nexwatt.Testing;

namespace Nexwatt.Bench.Peers;

/// <summary>
/// A reference client in its own process (the libmodbus C loop, the pymodbus script), started once per round.
/// The peer connects, warms up, then times its own round and prints "reads=N seconds=S cpu=C", so that its
/// start-up (the Python interpreter, the import of pymodbus) is never measured.
/// </summary>
internal sealed partial class PeerContender(string name, string fileName, string[] leadingArguments, int port) : IContender
{
    public string Name => name;

    public int InFlight => 1;

    public async Task<RoundResult> RunRoundAsync(double warmupSeconds, double seconds, CancellationToken cancellationToken)
    {
        string[] arguments =
        [
            .. leadingArguments, "127.0.0.1", port.ToString(CultureInfo.InvariantCulture),
            seconds.ToString(CultureInfo.InvariantCulture), "1", warmupSeconds.ToString(CultureInfo.InvariantCulture),
        ];
        await using var peer = PeerProcess.Start(fileName, arguments);
        var exitCode = await peer.WaitForExitAsync(TimeSpan.FromSeconds(warmupSeconds + seconds + 60), cancellationToken).ConfigureAwait(false);
        if (exitCode != 0) throw new BenchException($"{name} failed (exit code {exitCode}):\n{peer.Log.Trim()}");
        var match = RoundLine().Match(peer.Log);
        if (!match.Success) throw new BenchException($"{name} printed no 'reads=N seconds=S cpu=C' line:\n{peer.Log.Trim()}");
        return new RoundResult(
            long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
            double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
            double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [GeneratedRegex(@"^reads=(\d+) seconds=([0-9.]+) cpu=([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex RoundLine();
}
