using Nexwatt.Collector.Observability;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Observability;

/// <summary>What /readyz and the systemd watchdog see of the interval worker, on a fake clock.</summary>
public sealed class CollectorHealthTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_store_failure_holds_through_rounds_that_touch_no_table_until_the_store_answers_again()
    {
        var worker = new IntervalWorkerStatus(_time);
        var health = new CollectorHealth(worker, _time);
        worker.RoundFailed("no such table: assets");
        _time.Advance(TimeSpan.FromSeconds(1));
        worker.RoundDone(storeAnswered: false); // nothing to recompute: says nothing about the store

        var (code, message) = Assert.Single(health.Problems());
        Assert.Equal(("store_failing", "the store failed the interval worker: no such table: assets"), (code, message));

        worker.RoundDone(storeAnswered: true);
        Assert.Empty(health.Problems());
    }

    [Fact]
    public void A_worker_with_no_finished_round_for_thirty_seconds_is_lagging()
    {
        var health = new CollectorHealth(new IntervalWorkerStatus(_time), _time);
        _time.Advance(CollectorHealth.MaxWorkerLag);
        Assert.Empty(health.Problems());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("interval_worker_lagging", Assert.Single(health.Problems()).Code);
    }
}
