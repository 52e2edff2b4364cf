using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Readings;

/// <summary>
/// Readings in the structured log, beside the buffer, for the installer watching the journal: one summary line per
/// poll at Debug (the headline points an installer looks at), and every reading with its fields at Trace. At the
/// default level the journal gets Observability.DeviceSummaryLog's line per device every few minutes instead.
/// </summary>
internal sealed class LogReadingSink(ILogger<LogReadingSink> logger) : IReadingSink
{
    // The points a person checks first on a PV inverter or a battery.
    private static readonly string[] Headline = ["W", "VA", "VAr", "Hz", "PhVphA", "A", "WH", "SoC", "DCW", "St", "ChaSt", "WMaxLimPct", "OutWRte", "InWRte"];

    public ValueTask WriteAsync(DeviceReadings batch, CancellationToken cancellationToken)
    {
        if (logger.IsEnabled(LogLevel.Trace))
            foreach (var r in batch.Readings)
                Log.ReadingDetail(logger, batch.SiteId, r.DeviceId, r.ModelId, r.Point, r.Value, r.Text, r.Units, r.Quality, r.SourceTimestamp);

        if (logger.IsEnabled(LogLevel.Debug))
        {
            var good = batch.Readings.Count(r => r.Quality == ReadingQuality.Good);
            var summary = string.Join(", ", Headline
                .Select(name => batch.Readings.FirstOrDefault(r => r.Point == name && r.Quality == ReadingQuality.Good))
                .Where(r => r is not null)
                .Select(r => $"{r!.Point}={Format(r)}"));
            Log.ReadingSummary(logger, batch.DeviceId, batch.Readings.Count, good, summary);
        }
        return ValueTask.CompletedTask;
    }

    private static string Format(Reading r) => r.Value is { } v
        ? string.Create(CultureInfo.InvariantCulture, $"{v:0.###}{(string.IsNullOrEmpty(r.Units) ? "" : " " + r.Units)}")
        : r.Text ?? "";
}
