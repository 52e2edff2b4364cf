using System.Security.Cryptography;
using Google.Protobuf;
using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.Protos.Signing;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

/// <summary>A collector's signing key and setpoints signed with it, for tests.</summary>
internal sealed class SetpointFactory : IDisposable
{
    public SetpointFactory(DateTimeOffset now) => Now = now;

    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public DateTimeOffset Now { get; set; }

    public CollectorKey Pinned() => CollectorKey.Pin(Key);

    public string PublicPem() => Key.ExportSubjectPublicKeyInfoPem();

    public static long Us(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks / 10;

    public Setpoint Setpoint(string id, string site = "site-1", string dispatch = "d-1", TimeSpan? lifetime = null, DateTimeOffset? issued = null,
        DateTimeOffset? start = null, params SetpointTarget[] targets)
    {
        var setpoint = new Setpoint
        {
            SetpointId = id,
            SiteId = site,
            DispatchId = dispatch,
            IssuedTimeUs = Us(issued ?? Now),
            StartTimeUs = Us(start ?? Now),
            ExpiryTimeUs = Us((start ?? Now) + (lifetime ?? TimeSpan.FromMinutes(10))),
        };
        setpoint.Targets.AddRange(targets);
        return setpoint;
    }

    public static SetpointTarget Watts(string device, double watts) => new() { DeviceId = device, ActivePowerW = watts };

    public static SetpointTarget ExportLimit(string device, double percent) => new() { DeviceId = device, ExportLimitPct = percent };

    public SignedSetpoint Sign(Setpoint setpoint) => SetpointSignature.Sign(setpoint, Key);

    public byte[] Signed(Setpoint setpoint) => Sign(setpoint).ToByteArray();

    public void Dispose() => Key.Dispose();
}
