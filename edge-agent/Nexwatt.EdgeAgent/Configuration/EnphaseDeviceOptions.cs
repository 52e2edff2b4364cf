namespace Nexwatt.EdgeAgent.Configuration;

public sealed partial class DeviceOptions
{
    /// <summary>Settings of a device of type "enphase" (an Enphase IQ Gateway / Envoy); ignored for other types.</summary>
    public EnphaseOptions Enphase { get; set; } = new();

    /// <summary>How often this device is polled: an Enphase gateway's meter interval, else the device's or the agent's interval.</summary>
    internal TimeSpan EffectivePollInterval(TimeSpan agentDefault) =>
        Type.Equals(DeviceTypes.Enphase, StringComparison.OrdinalIgnoreCase) ? Enphase.MeterInterval : PollInterval ?? agentDefault;
}

/// <summary>An Enphase IQ Gateway read over its local API (section "Agent:Devices:N:Enphase").</summary>
public sealed class EnphaseOptions
{
    /// <summary>"http://host" (firmware below 7) or "https://host[:port]" (7 and later); /info decides, the scheme must match.</summary>
    public string Url { get; set; } = "";

    /// <summary>Firmware 7+: a file holding the JWT (owner or installer token) the installer obtained from Enphase.</summary>
    public string? TokenFile { get; set; }

    /// <summary>Firmware below 7: Digest user, "envoy" (default) or "installer".</summary>
    public string User { get; set; } = "envoy";

    /// <summary>Firmware below 7: Digest password; empty means the default of user envoy (the serial's last six digits).</summary>
    public string? Password { get; set; }

    /// <summary>Enlighten account for token renewal through Enphase's token service (not verified against the real service).</summary>
    public string? EnlightenUser { get; set; }

    public string? EnlightenPassword { get; set; }

    /// <summary>Enlighten's login endpoint (changed only to point at a test fake).</summary>
    public string EnlightenLoginUrl { get; set; } = "https://enlighten.enphaseenergy.com/login/login.json";

    /// <summary>Enphase's token service (changed only to point at a test fake).</summary>
    public string EnlightenTokenUrl { get; set; } = "https://entrez.enphaseenergy.com/tokens";

    /// <summary>Meters, production and batteries are read this often (floor 5 s: gateways fall over when polled harder).</summary>
    public TimeSpan MeterInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Microinverter reports are read this often; they change every five minutes at most.</summary>
    public TimeSpan InverterInterval { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// The gateway's batteries' combined continuous power in W (3840 per IQ Battery 5P or 10T, 1280 per 3T). The local
    /// API states no rating, and dispatch checks every target against one: without it, setpoints to this gateway are
    /// rejected with a reason naming this key.
    /// </summary>
    public double? BatteryRatingW { get; set; }

    /// <summary>Where the gateway certificate's SHA-256 is pinned; empty means "enphase-&lt;host&gt;_&lt;port&gt;.pin" in the agent's state directory (beside the buffer's default file).</summary>
    public string? PinFile { get; set; }
}

/// <summary>Start-time checks of Enphase devices; each error names its key and the expected form.</summary>
internal static class EnphaseOptionsChecks
{
    public static readonly TimeSpan MeterIntervalFloor = TimeSpan.FromSeconds(5);

    public static void AddProblems(AgentOptions options, ICollection<string> problems)
    {
        for (var i = 0; i < options.Devices.Count; i++)
        {
            var device = options.Devices[i];
            if (!device.Type.Equals(DeviceTypes.Enphase, StringComparison.OrdinalIgnoreCase)) continue;
            var key = $"Agent:Devices:{i}";
            var e = device.Enphase;
            if (string.IsNullOrWhiteSpace(device.Id))
                problems.Add($"{key}:Id is required for an enphase device (a stable name such as \"envoy-garage\"; its sub-devices are named after it).");
            if (!Uri.TryCreate(e.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.AbsolutePath != "/" || url.Query.Length > 0)
                problems.Add($"{key}:Enphase:Url '{e.Url}' must be http://host or https://host[:port] (no path).");
            if (e.MeterInterval < MeterIntervalFloor)
                problems.Add($"{key}:Enphase:MeterInterval {e.MeterInterval} is below the 5 s floor (gateways fall over when polled harder); default 15s.");
            if (e.InverterInterval < e.MeterInterval)
                problems.Add($"{key}:Enphase:InverterInterval {e.InverterInterval} is shorter than MeterInterval {e.MeterInterval}; default 5m.");
            if (e.ConnectTimeout <= TimeSpan.Zero || e.ConnectTimeout > TimeSpan.FromMinutes(1))
                problems.Add($"{key}:Enphase:ConnectTimeout {e.ConnectTimeout} must be above zero and at most one minute (default 10s).");
            if (e.ReadTimeout <= TimeSpan.Zero || e.ReadTimeout > TimeSpan.FromMinutes(5))
                problems.Add($"{key}:Enphase:ReadTimeout {e.ReadTimeout} must be above zero and at most five minutes (default 45s).");
            if (e.TokenFile is { Length: > 0 } token && !File.Exists(token))
                problems.Add($"{key}:Enphase:TokenFile '{token}' does not exist.");
            if (url?.Scheme == "https" && string.IsNullOrEmpty(e.TokenFile))
                problems.Add($"{key}:Enphase:TokenFile is required with an https Url (firmware 7+ needs a JWT from Enphase).");
            if (e.BatteryRatingW is { } rating && !(double.IsFinite(rating) && rating > 0))
                problems.Add($"{key}:Enphase:BatteryRatingW {rating} must be a power above 0 W (e.g. 3840 for one IQ Battery 5P).");
            if (e.User is not ("envoy" or "installer"))
                problems.Add($"{key}:Enphase:User '{e.User}' must be envoy or installer.");
            if (e.User == "installer" && string.IsNullOrEmpty(e.Password))
                problems.Add($"{key}:Enphase:Password is required for user installer.");
            if (string.IsNullOrEmpty(e.EnlightenUser) != string.IsNullOrEmpty(e.EnlightenPassword))
                problems.Add($"{key}:Enphase:EnlightenUser and EnlightenPassword go together.");
            if (!string.IsNullOrEmpty(e.EnlightenUser) && string.IsNullOrEmpty(e.TokenFile))
                problems.Add($"{key}:Enphase:TokenFile is required with Enlighten credentials (the renewed token is written there).");
            foreach (var (name, value) in new[] { ("EnlightenLoginUrl", e.EnlightenLoginUrl), ("EnlightenTokenUrl", e.EnlightenTokenUrl) })
                // The cloud link leaves the site: TLS, except a loopback fake in tests.
                if (!Uri.TryCreate(value, UriKind.Absolute, out var cloud) || !(cloud.Scheme == "https" || cloud.Scheme == "http" && cloud.IsLoopback))
                    problems.Add($"{key}:Enphase:{name} '{value}' must be an https:// URL.");
        }
    }
}
