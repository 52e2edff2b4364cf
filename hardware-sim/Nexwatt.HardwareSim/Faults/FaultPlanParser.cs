using System.Globalization;
using Nexwatt.Protocols.Modbus;

namespace Nexwatt.HardwareSim.Faults;

/// <summary>
/// Parses the compact fault syntax shared by the <c>--fault</c> flag and the runtime console:
/// <c>drop=0.1,drop-every=10,slow=500[@0.5],exception=0.05[:6],garbage=0.01,corrupt=0.01,freeze</c>;
/// <c>none</c> clears every fault.
/// </summary>
internal static class FaultPlanParser
{
    public static bool TryParse(string text, out FaultPlan plan, out string error)
    {
        plan = FaultPlan.None;
        error = "";
        if (string.IsNullOrWhiteSpace(text) || text.Trim() == "none") return true;
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = raw.IndexOf('=');
            var key = (eq < 0 ? raw : raw[..eq]).ToLowerInvariant();
            var value = eq < 0 ? null : raw[(eq + 1)..];
            switch (key)
            {
                case "freeze" or "frozen":
                    if (value is not null && !bool.TryParse(value, out _)) { error = $"'{raw}': freeze takes no value or true/false."; return false; }
                    plan = plan with { Frozen = value is null || bool.Parse(value) };
                    break;
                case "drop":
                    if (!TryProbability(raw, value, out var drop, out error)) return false;
                    plan = plan with { DropProbability = drop };
                    break;
                case "drop-every":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var every) || every < 1) { error = $"'{raw}': drop-every needs a whole number of requests >= 1."; return false; }
                    plan = plan with { DropEvery = every };
                    break;
                case "slow":
                    var at = value?.IndexOf('@') ?? -1;
                    var msText = at < 0 ? value : value![..at];
                    if (!int.TryParse(msText, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms is < 1 or > 600_000) { error = $"'{raw}': slow needs a delay in milliseconds (1..600000), optionally @probability."; return false; }
                    var slowProbability = 1.0;
                    if (at >= 0 && !TryProbability(raw, value![(at + 1)..], out slowProbability, out error)) return false;
                    plan = plan with { SlowMilliseconds = ms, SlowProbability = slowProbability };
                    break;
                case "exception":
                    var colon = value?.IndexOf(':') ?? -1;
                    if (!TryProbability(raw, colon < 0 ? value : value![..colon], out var exceptionProbability, out error)) return false;
                    var code = ModbusExceptionCode.ServerDeviceBusy;
                    if (colon >= 0 && !TryExceptionCode(value![(colon + 1)..], out code)) { error = $"'{raw}': unknown Modbus exception code (use 1-6, 8, 10 or 11)."; return false; }
                    plan = plan with { ExceptionProbability = exceptionProbability, ExceptionCode = code };
                    break;
                case "garbage":
                    if (!TryProbability(raw, value, out var garbage, out error)) return false;
                    plan = plan with { GarbageProbability = garbage };
                    break;
                case "corrupt":
                    if (!TryProbability(raw, value, out var corrupt, out error)) return false;
                    plan = plan with { CorruptProbability = corrupt };
                    break;
                default:
                    error = $"unknown fault '{key}' (known: drop, drop-every, slow, exception, garbage, corrupt, freeze, none).";
                    return false;
            }
        }
        return true;
    }

    public static bool TryExceptionCode(string text, out ModbusExceptionCode code)
    {
        code = default;
        if (!byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var b) || !Enum.IsDefined(typeof(ModbusExceptionCode), b)) return false;
        code = (ModbusExceptionCode)b;
        return true;
    }

    private static bool TryProbability(string raw, string? value, out double probability, out string error)
    {
        error = "";
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out probability) && probability is >= 0 and <= 1) return true;
        error = $"'{raw}': needs a probability between 0 and 1.";
        return false;
    }
}
