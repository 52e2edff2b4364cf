using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Ingest;
using Nexwatt.Testing;

namespace Nexwatt.Collector.Tests.Ingest;

public sealed class MqttRefusalsTests
{
    [Fact]
    public void Every_refusal_is_counted_and_a_site_is_logged_once_a_minute_with_the_number_refused_meanwhile()
    {
        var time = new FakeTimeProvider();
        var logs = new CollectedLogs();
        var refusals = new MqttRefusals(time, new Logger(logs.CreateLogger("refusals")));
        for (var i = 0; i < 100; i++) refusals.Refuse("site-x", MqttRefusalReasons.UnregisteredSite, "not registered");
        refusals.Refuse("site-y", MqttRefusalReasons.UnregisteredSite, "not registered");
        refusals.Refuse("site-x", MqttRefusalReasons.Undecodable, "bad bytes");

        Assert.Equal(102, refusals.Total);
        Assert.Equal(101, refusals.Count(MqttRefusalReasons.UnregisteredSite));
        Assert.Equal(3, logs.Lines.Count);

        time.Advance(MqttRefusals.LogInterval);
        refusals.Refuse("site-x", MqttRefusalReasons.UnregisteredSite, "not registered");
        Assert.Equal(4, logs.Lines.Count);
        Assert.Contains("99 more from it since the last line", logs.Lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_flood_of_distinct_site_ids_keeps_the_memory_bounded()
    {
        var time = new FakeTimeProvider();
        var refusals = new MqttRefusals(time, new Logger(new CollectedLogs().CreateLogger("refusals")));
        for (var i = 0; i < 50_000; i++) refusals.Refuse("ghost-" + i + new string('x', i % 3 == 0 ? 10_000 : 0), MqttRefusalReasons.UnregisteredSite, "not registered");

        Assert.Equal(50_000, refusals.Total);
        Assert.InRange(refusals.TrackedKeys, 1, MqttRefusals.MaxTrackedKeys + 1);
    }

    private sealed class Logger(ILogger inner) : ILogger<MqttRefusals>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);
        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
