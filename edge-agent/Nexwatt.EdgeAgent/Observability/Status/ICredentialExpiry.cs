namespace Nexwatt.EdgeAgent.Observability.Status;

/// <summary>
/// A device source whose access depends on a credential that expires (an Enphase gateway's JWT): the status command
/// shows when, so an installer renews it before polling stops.
/// </summary>
internal interface ICredentialExpiry
{
    /// <summary>When the credential in use expires; null before it is known or when it never does.</summary>
    DateTimeOffset? CredentialExpiresAt { get; }
}

/// <summary>The device sources that have an expiring credential, by device id; filled by the polling service.</summary>
internal sealed class CredentialExpiryBoard
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ICredentialExpiry> _sources = new(StringComparer.Ordinal);

    public void Register(string deviceId, object source)
    {
        if (source is ICredentialExpiry expiring) _sources[deviceId] = expiring;
    }

    public IReadOnlyList<(string DeviceId, DateTimeOffset? ExpiresAt)> Snapshot()
        => _sources.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => (s.Key, s.Value.CredentialExpiresAt)).ToArray();
}
