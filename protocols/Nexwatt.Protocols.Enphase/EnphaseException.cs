namespace Nexwatt.Protocols.Enphase;

/// <summary>Base of the Enphase error taxonomy; retry policy is one check of <see cref="IsTransient"/>.</summary>
public abstract class EnphaseException : Exception
{
    protected EnphaseException(string message, Exception? innerException = null) : base(message, innerException) { }

    /// <summary>True when the same request may succeed if retried later.</summary>
    public abstract bool IsTransient { get; }
}

/// <summary>A body that is not the shape the endpoint documents (garbage, HTML where JSON was due, a missing key).</summary>
public sealed class EnphaseFormatException : EnphaseException
{
    public EnphaseFormatException(string endpoint, string problem, Exception? innerException = null)
        : base($"{endpoint}: {problem}", innerException) => Endpoint = endpoint;

    public string Endpoint { get; }

    // A gateway mid-update or mid-reboot serves odd pages for a while; the next poll may be fine.
    public override bool IsTransient => true;
}

/// <summary>The gateway refused the credentials (HTTP 401 after the one re-validation the client allows).</summary>
public sealed class EnphaseAuthException : EnphaseException
{
    public EnphaseAuthException(string reason) : base(reason) => Reason = reason;

    /// <summary>What status shows, e.g. "token rejected", "digest password rejected".</summary>
    public string Reason { get; }

    // The poller's backoff retries it; the gateway may have been re-provisioned, but never in a tight loop.
    public override bool IsTransient => true;
}

/// <summary>The gateway's TLS certificate is not the one pinned for it.</summary>
public sealed class EnphaseCertificateException : EnphaseException
{
    public EnphaseCertificateException(string message) : base(message) { }

    // Retrying cannot help until an operator re-pins.
    public override bool IsTransient => false;
}
