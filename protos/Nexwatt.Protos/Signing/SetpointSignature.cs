using System.Security.Cryptography;
using Google.Protobuf;
using Nexwatt.Protos.V1;

namespace Nexwatt.Protos.Signing;

/// <summary>
/// The signature format of <see cref="SignedSetpoint"/> (see dispatch.proto): ECDSA P-256 over the exact setpoint
/// bytes with SHA-256, IEEE P1363 encoding. Both sides use this one definition, so the format cannot drift.
/// </summary>
public static class SetpointSignature
{
    public const int SignatureLength = 64;

    /// <summary>Serializes and signs <paramref name="setpoint"/> with the collector's private key.</summary>
    public static SignedSetpoint Sign(Setpoint setpoint, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(setpoint);
        ArgumentNullException.ThrowIfNull(key);
        var bytes = setpoint.ToByteArray();
        var signature = key.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new SignedSetpoint { Setpoint = ByteString.CopyFrom(bytes), Signature = ByteString.CopyFrom(signature), KeyId = KeyId(key) };
    }

    /// <summary>True when <paramref name="signed"/> carries a valid signature by <paramref name="publicKey"/> over its setpoint bytes.</summary>
    public static bool Verify(SignedSetpoint signed, ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (signed.Signature.Length != SignatureLength) return false;
        return publicKey.VerifyData(signed.Setpoint.Span, signed.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Lowercase hex of the first 8 bytes of SHA-256 over the key's SubjectPublicKeyInfo: names the key, proves nothing.</summary>
    public static string KeyId(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(key.ExportSubjectPublicKeyInfo(), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    /// <summary>Loads a P-256 public key from PEM ("PUBLIC KEY"); a private key PEM also works (its public half is used).</summary>
    public static ECDsa LoadPublicKeyPem(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256) throw new CryptographicException($"The key is {key.KeySize}-bit; setpoints are signed with P-256.");
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
