using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Polling.Enphase;
using Nexwatt.Protocols.Enphase;

namespace Nexwatt.EdgeAgent.Cli;

/// <summary>
/// `nexwatt-agent read --enphase URL [--token-file FILE | --user U --password P] [--pin SHA256] [--json]`: one
/// Enphase gateway read once, with what /info decided (firmware, auth), the endpoints probed and every value with its
/// unit. Over HTTPS the certificate is pinned on first use (shared with the agent's pin file); --pin re-pins.
/// </summary>
internal sealed class ReadEnphaseCommand
{
    public const int AuthRefused = 4;
    public const int CertificateRefused = 5;

    private readonly Option<string?> _url = new("--enphase") { Description = "Read an Enphase IQ Gateway: http://host (firmware < 7) or https://host[:port]." };
    private readonly Option<FileInfo?> _tokenFile = new("--token-file") { Description = "Enphase: file holding the JWT (firmware 7+)." };
    private readonly Option<string> _user = new("--user") { Description = "Enphase: Digest user below firmware 7 (envoy or installer).", DefaultValueFactory = _ => "envoy" };
    private readonly Option<string?> _password = new("--password") { Description = "Enphase: Digest password (default for envoy: last six serial digits)." };
    private readonly Option<string?> _pin = new("--pin") { Description = "Enphase: pin this certificate SHA-256 (hex) before connecting, replacing the old pin." };
    private readonly Option<FileInfo?> _pinFile = new("--pin-file") { Description = "Enphase: pin file (default: the agent's, in its state directory)." };
    private readonly Option<bool> _json;

    private ReadEnphaseCommand(Option<bool> json) => _json = json;

    /// <summary>Adds the Enphase options to the read command.</summary>
    public static ReadEnphaseCommand AddTo(Command read, Option<bool> json)
    {
        var enphase = new ReadEnphaseCommand(json);
        foreach (var option in new Option[] { enphase._url, enphase._tokenFile, enphase._user, enphase._password, enphase._pin, enphase._pinFile })
            read.Options.Add(option);
        return enphase;
    }

    /// <summary>The --enphase option, another source beside --host and --serial.</summary>
    public Option<string?> Url => _url;

    public bool Requested(ParseResult parse) => parse.GetValue(_url) is not null;

    public async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var device = new DeviceOptions { Id = "enphase", Type = DeviceTypes.Enphase };
        device.Enphase.Url = parse.GetValue(_url)!.TrimEnd('/');
        device.Enphase.TokenFile = parse.GetValue(_tokenFile)?.FullName;
        device.Enphase.User = parse.GetValue(_user)!;
        device.Enphase.Password = parse.GetValue(_password);
        device.Enphase.PinFile = parse.GetValue(_pinFile)?.FullName;
        var problems = new List<string>();
        EnphaseOptionsChecks.AddProblems(new AgentOptions { Devices = [device] }, problems);
        foreach (var problem in problems.Where(p => !p.Contains(":Id ", StringComparison.Ordinal)))
        {
            await Console.Error.WriteLineAsync(problem.Replace("Agent:Devices:0:Enphase:", "--", StringComparison.Ordinal)).ConfigureAwait(false);
            return 1;
        }
        using var source = new EnphaseDeviceSource(device, TimeProvider.System, NullLogger.Instance, CertificatePin.DefaultStateDirectory());
        if (parse.GetValue(_pin) is { } pin && source.Pin is { } pinning) pinning.Pin(pin);
        try
        {
            var (polled, _) = await source.ReadAllAsync(cancellationToken).ConfigureAwait(false);
            var session = source.Current!;
            if (parse.GetValue(_json))
            {
                var document = new
                {
                    url = device.Enphase.Url, serial = session.Info.Serial, partNumber = session.Info.PartNumber, firmware = session.Info.Firmware.Text,
                    metered = session.Info.Metered, auth = session.Auth.Scheme.ToString(), endpoints = session.Plan.Describe(),
                    pinned = source.Pin?.NewlyPinned, pinFile = source.Pin?.PinFile,
                    token = session.Token is { } t ? new { user = t.UserType, expires = t.ExpiresAt } : null,
                    readings = polled.Readings.Select(r => new
                    {
                        device = r.DeviceId, point = r.Point, value = r.Value, unit = r.Units, quality = r.Quality.ToString(), timestamp = r.SourceTimestamp,
                    }),
                };
                Console.WriteLine(JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            Console.WriteLine($"{device.Enphase.Url}: Enphase IQ Gateway serial {session.Info.Serial} part {session.Info.PartNumber} firmware {session.Info.Firmware}");
            Console.WriteLine($"auth: {session.Auth.Describe()}{(session.Token is { } token ? $" ({token})" : "")}");
            if (source.Pin?.NewlyPinned is { } fingerprint) Console.WriteLine($"pinned certificate SHA-256 {fingerprint} in {source.Pin.PinFile}");
            Console.WriteLine($"endpoints: {string.Join(", ", session.Plan.Describe())}");
            foreach (var group in polled.Readings.GroupBy(r => r.DeviceId))
            {
                Console.WriteLine();
                Console.WriteLine(group.Key);
                foreach (var r in group)
                    Console.WriteLine($"  {r.Point,-18} {(r.Value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "not implemented"),14} {r.Units,-4} {r.SourceTimestamp:u}");
            }
            return 0;
        }
        catch (EnphaseCertificateException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return CertificateRefused;
        }
        catch (EnphaseAuthException e)
        {
            await Console.Error.WriteLineAsync($"{device.Enphase.Url}: {e.Reason}").ConfigureAwait(false);
            return AuthRefused;
        }
        catch (Exception e) when (source.IsDeviceFault(e))
        {
            await Console.Error.WriteLineAsync($"Cannot read {device.Enphase.Url}: {e.Message}").ConfigureAwait(false);
            return ReadCommand.Unreachable;
        }
    }
}
