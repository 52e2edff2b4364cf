using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Polling;

namespace Nexwatt.EdgeAgent.Configuration
{
    public sealed partial class AgentOptions
    {
        /// <summary>How often each device gets one Information line (polls, errors, last value age); zero turns it off.</summary>
        public TimeSpan LogSummaryInterval { get; set; } = TimeSpan.FromMinutes(5);
    }
}

namespace Nexwatt.EdgeAgent.Observability
{
    /// <summary>
    /// The journal's view of polling: per-poll lines are Debug, and at Information each device gets one line every
    /// Agent:LogSummaryInterval with the polls and errors since the last line and the age of its last good value.
    /// Changes of state (unhealthy, healthy again) are logged where they happen, at once.
    /// </summary>
    internal sealed partial class DeviceSummaryLog(string siteId, TimeSpan interval, DeviceHealthBoard devices, TimeProvider time, ILogger logger)
        : IHostedService, IDisposable
    {
        private readonly Dictionary<string, (long Polls, long Errors)> _previous = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();
        private ITimer? _timer;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (interval > TimeSpan.Zero) _timer = time.CreateTimer(_ => Report(), null, interval, interval);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _timer?.Dispose();
            return Task.CompletedTask;
        }

        public void Dispose() => _timer?.Dispose();

        internal void Report()
        {
            var now = time.GetUtcNow();
            lock (_gate)
            {
                foreach (var device in devices.Snapshot())
                {
                    var before = _previous.GetValueOrDefault(device.DeviceId);
                    _previous[device.DeviceId] = (device.Polls, device.FailedPolls);
                    var age = device.LastSuccess is { } last ? Math.Round((now - last).TotalSeconds).ToString(CultureInfo.InvariantCulture) + " s" : "never";
                    Summary(logger, siteId, device.DeviceId, device.Polls - before.Polls, device.FailedPolls - before.Errors, age,
                        device.Healthy ? "healthy" : "unhealthy");
                }
            }
        }

        [LoggerMessage(2620, LogLevel.Information, "Site {SiteId} device {DeviceId}: {Polls} polls, {Errors} errors since the last summary; last good value {LastValueAge} old; {State}")]
        private static partial void Summary(ILogger logger, string siteId, string deviceId, long polls, long errors, string lastValueAge, string state);
    }
}
