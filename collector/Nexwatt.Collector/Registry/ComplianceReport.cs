namespace Nexwatt.Collector.Registry;

/// <summary>An asset checked against its ISO zone's rules.</summary>
/// <param name="TelemetryValidated">The telemetry interval meets every failing-severity scan-rate rule of the zone.</param>
/// <param name="IsoCompliant">No rule of severity failure is broken.</param>
/// <param name="Problems">Every broken rule, failures as errors and the rest as warnings.</param>
public sealed record ComplianceReport(bool TelemetryValidated, bool IsoCompliant, IReadOnlyList<RegistrationProblem> Problems);
