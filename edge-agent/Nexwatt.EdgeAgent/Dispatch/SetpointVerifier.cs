using Google.Protobuf;
using Nexwatt.Protos.Signing;
using Nexwatt.Protos.V1;
using Nexwatt.Protos;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>
/// Decides whether a received setpoint may touch the devices, before anything else looks at it. Checks, in order:
/// the bytes decode; a key is pinned; a signature is present; it is by the pinned key and verifies over the exact setpoint bytes;
/// the setpoint parses; it names this site; it has not expired; its id was not handled before (then the earlier
/// answer is repeated); and it is not older than the setpoint this site holds for the same dispatch.
/// No clock inside: the caller passes <c>now</c>. Not thread-safe: the dispatcher's single loop owns it.
/// </summary>
/// <remarks>
/// The replay memory lives in this process only, and that is enough: every setpoint carries a signed expiry, so a
/// copy can only be replayed until then, and ids are remembered until expiry plus the clock tolerance. After a restart
/// the memory is empty, but the only setpoints that can pass are unexpired ones from the collector, and applying one
/// of those again restores exactly the state the collector intends for the rest of its window.
/// </remarks>
internal sealed class SetpointVerifier(CollectorKey key, string siteId, TimeSpan clockSkewTolerance)
{
    public const string NoKeyPinned = "no collector key pinned";
    public const string Unsigned = "unsigned";
    public const string BadSignature = "bad signature";
    public const string Expired = "expired";
    public const string Superseded = "superseded";
    public const string Malformed = "malformed setpoint";

    private readonly Dictionary<string, Handled> _handled = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long IssuedUs, string SetpointId)> _currentByDispatch = new(StringComparer.Ordinal);

    /// <summary>Setpoint ids remembered now (bounded by expiry; exposed for tests).</summary>
    public int RememberedCount => _handled.Count;

    public SetpointVerdict Verify(ReadOnlySpan<byte> payload, DateTimeOffset now)
    {
        Forget(now);
        SignedSetpoint signed;
        try { signed = SignedSetpoint.Parser.ParseFrom(payload); }
        catch (InvalidProtocolBufferException) { return new SetpointVerdict.Rejected("", "", Malformed); }

        // Nothing inside `setpoint` is trusted before the signature is checked; the id is peeked only to name the answer.
        var (peekId, peekDispatch) = Peek(signed.Setpoint);
        if (key.Key is null) return new SetpointVerdict.Rejected(peekId, peekDispatch, NoKeyPinned);
        if (signed.Signature.IsEmpty) return new SetpointVerdict.Rejected(peekId, peekDispatch, Unsigned);
        if (!string.Equals(signed.KeyId, key.KeyId, StringComparison.Ordinal))
            return new SetpointVerdict.Rejected(peekId, peekDispatch, $"signed by key '{signed.KeyId}', not the pinned key '{key.KeyId}'");
        if (!SetpointSignature.Verify(signed, key.Key)) return new SetpointVerdict.Rejected(peekId, peekDispatch, BadSignature);

        Setpoint setpoint;
        try { setpoint = Setpoint.Parser.ParseFrom(signed.Setpoint); }
        catch (InvalidProtocolBufferException) { return new SetpointVerdict.Rejected(peekId, peekDispatch, Malformed); }
        if (string.IsNullOrEmpty(setpoint.SetpointId) || setpoint.ExpiryTimeUs <= setpoint.StartTimeUs)
            return new SetpointVerdict.Rejected(setpoint.SetpointId, setpoint.DispatchId, Malformed);
        if (setpoint.SiteId != siteId)
            return new SetpointVerdict.Rejected(setpoint.SetpointId, setpoint.DispatchId, $"for site {setpoint.SiteId}, not this site");
        var nowUs = WireTime.ToMicroseconds(now);
        if (setpoint.ExpiryTimeUs <= nowUs) return new SetpointVerdict.Rejected(setpoint.SetpointId, setpoint.DispatchId, Expired);
        if (setpoint.IssuedTimeUs > nowUs + (long)clockSkewTolerance.TotalMicroseconds)
            return new SetpointVerdict.Rejected(setpoint.SetpointId, setpoint.DispatchId, "issued in the future (check the clocks)");
        if (_handled.TryGetValue(setpoint.SetpointId, out var handled)) return new SetpointVerdict.Duplicate(setpoint.SetpointId, handled.Ack);
        if (_currentByDispatch.TryGetValue(setpoint.DispatchId, out var current) && setpoint.IssuedTimeUs < current.IssuedUs)
            return new SetpointVerdict.Rejected(setpoint.SetpointId, setpoint.DispatchId, $"{Superseded} by {current.SetpointId}");
        return new SetpointVerdict.Accepted(setpoint);
    }

    /// <summary>
    /// Records that a verified setpoint is being handled: later copies are duplicates, older ones of its dispatch are
    /// superseded. Only verified setpoints are recorded, so a forged copy can never claim (and block) a real id.
    /// </summary>
    public void Accept(Setpoint setpoint)
    {
        _handled[setpoint.SetpointId] = new Handled(setpoint.ExpiryTimeUs, setpoint.DispatchId, null);
        _currentByDispatch[setpoint.DispatchId] = (setpoint.IssuedTimeUs, setpoint.SetpointId);
    }

    /// <summary>Keeps the answer given to an accepted setpoint, to repeat it to duplicates.</summary>
    public void Answered(string setpointId, SetpointAck ack)
    {
        if (_handled.TryGetValue(setpointId, out var handled)) _handled[setpointId] = handled with { Ack = ack };
    }

    private void Forget(DateTimeOffset now)
    {
        if (_handled.Count == 0) return;
        var horizon = WireTime.ToMicroseconds(now) - (long)clockSkewTolerance.TotalMicroseconds;
        foreach (var (id, handled) in _handled)
        {
            if (handled.ExpiryUs > horizon) continue;
            _handled.Remove(id);
            if (_currentByDispatch.TryGetValue(handled.DispatchId, out var current) && current.SetpointId == id) _currentByDispatch.Remove(handled.DispatchId);
        }
    }

    private static (string Id, string DispatchId) Peek(ByteString bytes)
    {
        try
        {
            var setpoint = Setpoint.Parser.ParseFrom(bytes);
            return (setpoint.SetpointId, setpoint.DispatchId);
        }
        catch (InvalidProtocolBufferException) { return ("", ""); }
    }


    private sealed record Handled(long ExpiryUs, string DispatchId, SetpointAck? Ack);
}
