using System.Security.Cryptography;
using Nexwatt.Protos.Signing;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>The collector's public key this site pinned at start, or none: then every setpoint is rejected.</summary>
internal sealed class CollectorKey : IDisposable
{
    private CollectorKey(ECDsa? key)
    {
        Key = key;
        KeyId = key is null ? null : SetpointSignature.KeyId(key);
    }

    public ECDsa? Key { get; }

    /// <summary>Names the pinned key (see dispatch.proto); null when none is pinned.</summary>
    public string? KeyId { get; }

    public static CollectorKey None { get; } = new(null);

    public static CollectorKey Pin(ECDsa key) => new(key);

    /// <summary>Loads the configured key; options were validated at start, so a bad key cannot get here.</summary>
    public static CollectorKey FromOptions(DispatchOptions options)
        => options.ReadPem() is { } pem ? new CollectorKey(SetpointSignature.LoadPublicKeyPem(pem)) : None;

    public void Dispose() => Key?.Dispose();
}
