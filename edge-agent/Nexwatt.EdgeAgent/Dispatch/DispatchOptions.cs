using System.Security.Cryptography;
using Nexwatt.Protos.Signing;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>Configuration section "Agent:Dispatch": whom the agent trusts for setpoints and how it holds them.</summary>
public sealed class DispatchOptions
{
    public static readonly TimeSpan DefaultRevertTimeout = TimeSpan.FromSeconds(60);
    internal static readonly TimeSpan MinimumRevertTimeout = TimeSpan.FromSeconds(5);

    /// <summary>PEM file of the collector's public key (P-256) that signs setpoints.</summary>
    public string? CollectorPublicKeyFile { get; set; }

    /// <summary>The same key inline, for installers that template the configuration.</summary>
    public string? CollectorPublicKeyPem { get; set; }

    /// <summary>
    /// Written to the devices' revert timers (SunSpec *_RvrtTms): how long a device holds a setpoint after the agent
    /// (or its link) dies before it falls back to normal operation by itself.
    /// </summary>
    public TimeSpan RevertTimeout { get; set; } = DefaultRevertTimeout;

    /// <summary>How often a held setpoint is written again; null means a third of <see cref="RevertTimeout"/>.</summary>
    public TimeSpan? ReassertInterval { get; set; }

    /// <summary>Most discharge power the whole site may be asked for, in watts; null for no site limit.</summary>
    public double? MaxSiteDischargeW { get; set; }

    /// <summary>Most charge power the whole site may be asked for, in watts (a positive number); null for no site limit.</summary>
    public double? MaxSiteChargeW { get; set; }

    /// <summary>How far the collector's clock may run ahead of ours, and how long past expiry a setpoint id is remembered.</summary>
    public TimeSpan ClockSkewTolerance { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a first apply waits for a battery's measured power to reach the commanded power before answering
    /// (devices publish their measurements on their own tick); zero reads once and answers at once.
    /// </summary>
    public TimeSpan MeasureSettleTime { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan EffectiveReassertInterval => ReassertInterval ?? RevertTimeout / 3;

    /// <summary>Adds a message per invalid setting, naming its configuration key.</summary>
    internal void Validate(ICollection<string> problems)
    {
        const string key = "Agent:Dispatch";
        if (RevertTimeout < MinimumRevertTimeout || RevertTimeout > TimeSpan.FromSeconds(ushort.MaxValue))
            problems.Add($"{key}:RevertTimeout {RevertTimeout} is out of range (5 s to 65535 s: it is written to 16-bit *_RvrtTms registers).");
        else if (RevertTimeout.Ticks % TimeSpan.TicksPerSecond != 0)
            problems.Add($"{key}:RevertTimeout {RevertTimeout} must be whole seconds (the devices count seconds).");
        // Re-asserting at less than half the timeout leaves room for one missed write before a device reverts.
        if (EffectiveReassertInterval <= TimeSpan.Zero || EffectiveReassertInterval >= RevertTimeout / 2)
            problems.Add($"{key}:ReassertInterval {EffectiveReassertInterval} must be above zero and below half of RevertTimeout ({RevertTimeout / 2}).");
        if (MaxSiteDischargeW is < 0 or double.NaN)
            problems.Add($"{key}:MaxSiteDischargeW {MaxSiteDischargeW} must be a positive number of watts.");
        if (MaxSiteChargeW is < 0 or double.NaN)
            problems.Add($"{key}:MaxSiteChargeW {MaxSiteChargeW} must be a positive number of watts (charge limits are given as magnitudes).");
        if (MeasureSettleTime < TimeSpan.Zero || MeasureSettleTime > TimeSpan.FromSeconds(30))
            problems.Add($"{key}:MeasureSettleTime {MeasureSettleTime} is out of range (0 to 30 s).");
        if (ClockSkewTolerance < TimeSpan.Zero || ClockSkewTolerance > TimeSpan.FromMinutes(5))
            problems.Add($"{key}:ClockSkewTolerance {ClockSkewTolerance} is out of range (0 to 5 minutes).");
        if (!string.IsNullOrEmpty(CollectorPublicKeyFile) && !string.IsNullOrEmpty(CollectorPublicKeyPem))
            problems.Add($"{key}: CollectorPublicKeyFile and CollectorPublicKeyPem are both set; pin one key.");
        else if (!string.IsNullOrEmpty(CollectorPublicKeyFile) && !File.Exists(CollectorPublicKeyFile))
            problems.Add($"{key}:CollectorPublicKeyFile '{CollectorPublicKeyFile}' does not exist.");
        else if (ReadPem() is { } pem)
        {
            try { using var _ = SetpointSignature.LoadPublicKeyPem(pem); }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                problems.Add($"{key}: the collector key is not a P-256 public key in PEM: {ex.Message}");
            }
        }
    }

    /// <summary>The pinned key's PEM text, or null when none is configured.</summary>
    internal string? ReadPem() =>
        !string.IsNullOrEmpty(CollectorPublicKeyPem) ? CollectorPublicKeyPem
        : !string.IsNullOrEmpty(CollectorPublicKeyFile) ? File.ReadAllText(CollectorPublicKeyFile)
        : null;
}
