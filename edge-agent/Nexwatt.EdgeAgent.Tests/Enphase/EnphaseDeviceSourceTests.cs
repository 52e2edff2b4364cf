using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Polling.Enphase;
using Nexwatt.Protocols.Enphase;

namespace Nexwatt.EdgeAgent.Tests.Enphase;

public sealed class EnphaseDeviceSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("enphase-test").FullName;

    private static string Jwt(DateTimeOffset exp) =>
        $"{B64("{\"alg\":\"ES256\"}")}.{B64($"{{\"enphaseUser\":\"owner\",\"exp\":{exp.ToUnixTimeSeconds()}}}")}.c2ln";

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private EnphaseDeviceSource Source(string url, string? token = null, string? password = null, TimeSpan? inverterInterval = null)
    {
        var device = new DeviceOptions { Id = "envoy", Type = DeviceTypes.Enphase };
        if (inverterInterval is { } every) device.Enphase.InverterInterval = every;
        device.Enphase.Url = url;
        device.Enphase.Password = password;
        device.Enphase.PinFile = Path.Combine(_dir, "envoy.pin");
        if (token is not null)
        {
            device.Enphase.TokenFile = Path.Combine(_dir, "token");
            File.WriteAllText(device.Enphase.TokenFile, token);
        }
        return new EnphaseDeviceSource(device, TimeProvider.System, NullLogger.Instance, _dir, health: _health);
    }

    private readonly Nexwatt.EdgeAgent.Polling.DeviceHealthBoard _health = new();

    [Fact]
    public async Task Https_TokenFirmware_ReadsWithSignsAndPinsTheCertificate()
    {
        var token = Jwt(DateTimeOffset.UtcNow.AddYears(1));
        await using var gateway = await FakeGateway.StartAsync("8.2.127_with_3cts_and_battery_split", https: true);
        gateway.Token = token;
        using var source = Source(gateway.Url, token);
        var (polled, _) = await source.ReadAllAsync(CancellationToken.None);
        double Value(string device, string point) => polled.Readings.Single(r => r.DeviceId == device && r.Point == point).Value!.Value;
        Assert.Equal(1714.424, Value("envoy.production", "ActivePowerW"), 3);
        Assert.Equal(-129.407, Value("envoy.grid", "ActivePowerW"), 3);
        Assert.Equal(-136, Value("envoy.battery-12345678901006", "ActivePowerW"), 3);
        Assert.Equal(21, Value("envoy.battery-12345678901006", "StateOfChargePct"));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1709829517), polled.Readings.First(r => r.DeviceId == "envoy.production").SourceTimestamp);
        var description = _health.Describe("envoy")!;
        Assert.Equal("123456789012", description.SerialNumber);
        Assert.Contains("firmware 8.2.127 (HTTPS + JWT bearer token)", description.Model);
        Assert.NotNull(source.Pin!.NewlyPinned);
        Assert.Equal(source.Pin.NewlyPinned, File.ReadAllText(source.Pin.PinFile).Trim());
    }

    [Fact]
    public async Task ChangedCertificate_IsRefusedNamingBothFingerprints()
    {
        var token = Jwt(DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllText(Path.Combine(_dir, "envoy.pin"), new string('A', 64));
        await using var gateway = await FakeGateway.StartAsync("8.2.127_with_3cts_and_battery_split", https: true);
        gateway.Token = token;
        using var source = Source(gateway.Url, token);
        var error = await Assert.ThrowsAsync<EnphaseCertificateException>(async () => await source.ReadAsync(CancellationToken.None));
        Assert.Contains(new string('A', 64), error.Message);
        Assert.Contains("--pin ", error.Message);
        Assert.True(source.IsDeviceFault(error));
    }

    [Fact]
    public async Task RevokedToken_IsTokenRejected_AfterOneValidation()
    {
        var token = Jwt(DateTimeOffset.UtcNow.AddYears(1));
        await using var gateway = await FakeGateway.StartAsync("7.6.175_with_cts", https: true);
        gateway.Token = token;
        using var source = Source(gateway.Url, token);
        await source.ReadAsync(CancellationToken.None);
        gateway.TokenRevoked = true;
        var before = gateway.Requests;
        var error = await Assert.ThrowsAsync<EnphaseAuthException>(async () => await source.ReadAsync(CancellationToken.None));
        Assert.Equal("token rejected", error.Reason);
        Assert.True(gateway.Requests - before <= 3, $"{gateway.Requests - before} requests after the revocation: no tight loop");
    }

    [Fact]
    public async Task Http_Digest_ReadsInverters_AndAWrongPasswordIsRejected()
    {
        await using var gateway = await FakeGateway.StartAsync("5.0.62", https: false);
        gateway.DigestPassword = "secret";
        using (var source = Source(gateway.Url, password: "secret"))
        {
            var (polled, _) = await source.ReadAllAsync(CancellationToken.None);
            Assert.Equal(202, polled.Readings.Single(r => r.DeviceId == "envoy.inverter-121547059079" && r.Point == "ActivePowerW").Value);
            Assert.Equal(7907, polled.Readings.Single(r => r.DeviceId == "envoy.production" && r.Point == "ActivePowerW").Value);
        }
        using var wrong = Source(gateway.Url, password: "wrong");
        var error = await Assert.ThrowsAsync<EnphaseAuthException>(async () => await wrong.ReadAllAsync(CancellationToken.None));
        Assert.Contains("rejected", error.Reason);
    }

    [Fact]
    public async Task AStalledInverterRead_NeverDelaysTheMeters()
    {
        var token = Jwt(DateTimeOffset.UtcNow.AddYears(1));
        await using var gateway = await FakeGateway.StartAsync("8.2.4345_with_device_data", https: true);
        gateway.Token = token;
        // Inverters due at every poll, so the stalled read is always the one in flight when the meters fall due.
        using var source = Source(gateway.Url, token, inverterInterval: TimeSpan.Zero);
        await source.ReadAsync(CancellationToken.None);   // probes, reads the meters, starts an inverter read
        gateway.StallPath = "/api/v1/production/inverters";
        await source.ReadAsync(CancellationToken.None);   // meters again; the next inverter read now hangs
        var started = System.Diagnostics.Stopwatch.StartNew();
        var polled = await source.ReadAsync(CancellationToken.None);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"meter poll took {started.Elapsed} behind a stalled inverter read");
        Assert.Contains(polled.Readings, r => r.DeviceId == "envoy.production" && r.Point == "ActivePowerW" && r.Value == 807.326);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
