using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.Collector.Storage;
using Nexwatt.Protos.Signing;

namespace Nexwatt.Collector.Dispatch;

/// <summary>
/// The collector's setpoint signing key (ECDSA P-256). Loaded from <see cref="DispatchOptions.SigningKeyFile"/>, or
/// generated at first start in the data directory: the private key (PKCS#8 PEM) with mode 0600, the public key PEM
/// beside it for agents to pin. The private key is never logged.
/// </summary>
public sealed class DispatchSigningKey : IDisposable
{
    public const string DefaultFileName = "dispatch-signing-key.pem";
    public const string PublicFileName = "dispatch-signing-key.pub.pem";

    private readonly ECDsa _key;

    private DispatchSigningKey(ECDsa key, string privateKeyFile, string publicKeyFile)
    {
        _key = key;
        PrivateKeyFile = privateKeyFile;
        PublicKeyFile = publicKeyFile;
        KeyId = SetpointSignature.KeyId(key);
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
    }

    public string KeyId { get; }

    public string PublicKeyPem { get; }

    public string PrivateKeyFile { get; }

    /// <summary>Where the public key PEM is (written beside a generated key; for a configured key, beside it if it was there).</summary>
    public string PublicKeyFile { get; }

    internal ECDsa Key => _key;

    public void Dispose() => _key.Dispose();

    /// <exception cref="Nexwatt.Configuration.InvalidConfigurationException">The key file is not a P-256 key, or a new key cannot be written.</exception>
    internal static DispatchSigningKey Create(IOptions<DispatchOptions> dispatch, IOptions<CollectorStorageOptions> storage, IHostEnvironment environment,
        ILogger<DispatchSigningKey> logger)
    {
        var configured = dispatch.Value.SigningKeyFile;
        var file = configured is { Length: > 0 }
            ? Path.GetFullPath(configured, environment.ContentRootPath)
            : Path.Combine(Path.GetDirectoryName(storage.Value.EffectiveSqlitePath(environment.ContentRootPath))!, DefaultFileName);
        var publicFile = Path.Combine(Path.GetDirectoryName(file)!, Path.GetFileNameWithoutExtension(file) + ".pub.pem");
        var generated = false;
        var key = ECDsa.Create();
        try
        {
            if (File.Exists(file))
            {
                key.ImportFromPem(File.ReadAllText(file));
                if (key.KeySize != 256) throw new CryptographicException($"The dispatch signing key {file} is {key.KeySize}-bit; setpoints are signed with P-256.");
            }
            else if (configured is { Length: > 0 })
            {
                throw new FileNotFoundException($"Dispatch:SigningKeyFile '{file}' does not exist.", file);
            }
            else
            {
                key.Dispose();
                key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                WritePrivate(file, key.ExportPkcs8PrivateKeyPem());
                generated = true;
            }
            if (generated || !File.Exists(publicFile)) File.WriteAllText(publicFile, key.ExportSubjectPublicKeyInfoPem());
            var signing = new DispatchSigningKey(key, file, publicFile);
            DispatchLog.SigningKey(logger, generated ? "generated" : "loaded", signing.KeyId, publicFile);
            return signing;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException or IOException or UnauthorizedAccessException)
        {
            // A key file that is not a P-256 key, or a data directory that cannot be written, is the installer's to fix.
            key.Dispose();
            var reason = ex is ArgumentException ? "it is not a PEM private key (PKCS#8 or SEC1, EC P-256)" : ex.Message;
            throw new Nexwatt.Configuration.InvalidConfigurationException([$"{DispatchOptions.SectionName}:SigningKeyFile: the signing key '{file}' cannot be used: {reason}"]);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static void WritePrivate(string file, string pem)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(file, options);
        using var writer = new StreamWriter(stream);
        writer.Write(pem);
    }
}
