namespace Nexwatt.HardwareSim.Devices;

/// <summary>A consistent snapshot of one device for the status table and log lines.</summary>
internal sealed record DeviceStatus(
    string Name,
    string Kind,
    double Watts,
    double? SocPercent,
    string State,
    string Controls,
    long Requests,
    long FaultsInjected,
    string Faults);
