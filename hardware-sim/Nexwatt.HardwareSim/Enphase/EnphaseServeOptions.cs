using System.CommandLine;

namespace Nexwatt.HardwareSim.Enphase;

/// <summary>The options of <c>hardware-sim serve --enphase PORT</c>; the site options (--bind, --latitude, --seed, --fault...) are shared.</summary>
internal sealed class EnphaseServeOptions
{
    public Option<int?> Port { get; } = new("--enphase") { Description = "Serve a simulated Enphase IQ Gateway on PORT (0 = a free port) instead of Modbus devices." };

    public Option<int?> Firmware { get; } = new("--firmware") { Description = "Gateway firmware generation: 5 (HTTP + Digest), 7 or 8 (HTTPS + JWT); default 7." };

    public Option<DirectoryInfo?> Captures { get; } = new("--captures") { Description = "Serve a folder of captured gateway responses (info, production.json, ivp_meters... with *_log.json) instead of the simulated site." };

    public Option<string?> Serial { get; } = new("--gateway-serial") { Description = "Gateway serial number (default 122302045041); the Digest user 'envoy' has its last six digits as password." };

    public Option<string?> InstallerPassword { get; } = new("--installer-password") { Description = "Password of the Digest user 'installer' below firmware 7 (default: that user is refused)." };

    public Option<string?> TokenDirectory { get; } = new("--token-dir") { Description = "Write owner.jwt, installer.jwt, near-expiry.jwt and expired.jwt for this gateway to a folder (firmware 7 and 8)." };

    public Option<int?> Batteries { get; } = new("--enphase-batteries") { Description = "IQ Batteries behind the simulated gateway (0..8, default 1)." };

    public IEnumerable<Option> All => [Port, Firmware, Captures, Serial, InstallerPassword, TokenDirectory, Batteries];
}
