using System.Globalization;
using Nexwatt.HardwareSim.Devices;

namespace Nexwatt.HardwareSim.Status;

/// <summary>One device's line in the status output, with its listener.</summary>
internal sealed record StatusRow(DeviceStatus Device, string Endpoint, byte UnitId)
{
    // A tiny negative rounds to -0.0, which would print as "-0"; adding 0.0 turns it into +0.0.
    public string Watts => (Math.Round(Device.Watts) + 0.0).ToString("0", CultureInfo.InvariantCulture);

    public string Soc => Device.SocPercent is { } soc ? soc.ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";

    public string PlainLine(DateTimeOffset simulatedNow) => string.Create(CultureInfo.InvariantCulture,
        $"STATUS {simulatedNow:yyyy-MM-ddTHH:mm:sszzz} {Device.Name} {Device.Kind} unit={UnitId} endpoint={Endpoint} W={Watts} soc={Soc} state={Device.State} controls=\"{Device.Controls}\" requests={Device.Requests} faults={Device.FaultsInjected} plan={Device.Faults}");
}
