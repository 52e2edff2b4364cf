using System.Globalization;
using System.Text;
using Nexwatt.Protocols.Modbus;

namespace Nexwatt.HardwareSim.Faults;

/// <summary>
/// What misbehaviour a simulated device injects. Immutable: a runtime change swaps the whole plan,
/// so a request never sees half of an old plan and half of a new one.
/// </summary>
internal sealed record FaultPlan
{
    public static FaultPlan None { get; } = new();

    /// <summary>Probability (0..1) that a request closes the connection instead of being answered.</summary>
    public double DropProbability { get; init; }

    /// <summary>Every Nth request to the device closes the connection (0 = off).</summary>
    public int DropEvery { get; init; }

    /// <summary>Delay added before answering, in milliseconds (0 = off).</summary>
    public int SlowMilliseconds { get; init; }

    /// <summary>Probability that a request is delayed by <see cref="SlowMilliseconds"/> (default: every request).</summary>
    public double SlowProbability { get; init; } = 1.0;

    /// <summary>Probability that a request is answered with <see cref="ExceptionCode"/>.</summary>
    public double ExceptionProbability { get; init; }

    public ModbusExceptionCode ExceptionCode { get; init; } = ModbusExceptionCode.ServerDeviceBusy;

    /// <summary>Probability that random bytes are sent instead of a framed response.</summary>
    public double GarbageProbability { get; init; }

    /// <summary>Probability that a correctly framed response carries a corrupted function code.</summary>
    public double CorruptProbability { get; init; }

    /// <summary>Physics keeps running but stops updating the measured values in the registers.</summary>
    public bool Frozen { get; init; }

    public bool IsNone => this == None;

    public override string ToString()
    {
        var parts = new List<string>();
        var c = CultureInfo.InvariantCulture;
        if (DropProbability > 0) parts.Add(string.Create(c, $"drop={DropProbability}"));
        if (DropEvery > 0) parts.Add(string.Create(c, $"drop-every={DropEvery}"));
        if (SlowMilliseconds > 0) parts.Add(SlowProbability >= 1 ? string.Create(c, $"slow={SlowMilliseconds}") : string.Create(c, $"slow={SlowMilliseconds}@{SlowProbability}"));
        if (ExceptionProbability > 0) parts.Add(string.Create(c, $"exception={ExceptionProbability}:{(byte)ExceptionCode}"));
        if (GarbageProbability > 0) parts.Add(string.Create(c, $"garbage={GarbageProbability}"));
        if (CorruptProbability > 0) parts.Add(string.Create(c, $"corrupt={CorruptProbability}"));
        if (Frozen) parts.Add("freeze");
        return parts.Count == 0 ? "none" : new StringBuilder().AppendJoin(',', parts).ToString();
    }
}
