using System.Security.Cryptography;
using Google.Protobuf;
using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.Protos.Signing;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

public sealed class SetpointVerifierTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 17, 0, 0, TimeSpan.Zero);
    private readonly SetpointFactory _collector = new(Now);
    private readonly SetpointVerifier _verifier;

    public SetpointVerifierTests() => _verifier = new SetpointVerifier(_collector.Pinned(), "site-1", TimeSpan.FromSeconds(5));

    public void Dispose() => _collector.Dispose();

    private string Reason(byte[] payload) => Assert.IsType<SetpointVerdict.Rejected>(_verifier.Verify(payload, Now)).Reason;

    [Fact]
    public void A_signed_setpoint_for_this_site_in_its_window_is_accepted()
    {
        var setpoint = _collector.Setpoint("sp-1", targets: SetpointFactory.Watts("battery", 2000));
        var accepted = Assert.IsType<SetpointVerdict.Accepted>(_verifier.Verify(_collector.Signed(setpoint), Now));
        Assert.Equal(setpoint, accepted.Setpoint);
    }

    [Fact]
    public void Undecodable_bytes_are_rejected_as_malformed()
    {
        Assert.Equal(SetpointVerifier.Malformed, Reason([0xFF, 0xFF, 0xFF, 0x01]));
    }

    [Fact]
    public void A_signed_payload_that_is_not_a_setpoint_is_rejected_as_malformed()
    {
        var garbage = ByteString.CopyFrom(0x0A, 0xFF);
        var signature = _collector.Key.SignData(garbage.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var signed = new SignedSetpoint { Setpoint = garbage, Signature = ByteString.CopyFrom(signature), KeyId = SetpointSignature.KeyId(_collector.Key) };
        Assert.Equal(SetpointVerifier.Malformed, Reason(signed.ToByteArray()));
    }

    [Fact]
    public void An_unsigned_setpoint_is_rejected_with_its_id()
    {
        var unsigned = new SignedSetpoint { Setpoint = _collector.Setpoint("sp-u").ToByteString() };
        var rejected = Assert.IsType<SetpointVerdict.Rejected>(_verifier.Verify(unsigned.ToByteArray(), Now));
        Assert.Equal(SetpointVerifier.Unsigned, rejected.Reason);
        Assert.Equal("sp-u", rejected.SetpointId);
    }

    [Fact]
    public void A_tampered_setpoint_fails_the_signature()
    {
        var signed = _collector.Sign(_collector.Setpoint("sp-t", targets: SetpointFactory.Watts("battery", 2000)));
        var tampered = _collector.Setpoint("sp-t", targets: SetpointFactory.Watts("battery", 5000));
        signed.Setpoint = tampered.ToByteString();
        Assert.Equal(SetpointVerifier.BadSignature, Reason(signed.ToByteArray()));
    }

    [Fact]
    public void A_flipped_byte_in_the_signature_fails_it()
    {
        var signed = _collector.Sign(_collector.Setpoint("sp-t"));
        var signature = signed.Signature.ToByteArray();
        signature[10] ^= 0x01;
        signed.Signature = ByteString.CopyFrom(signature);
        Assert.Equal(SetpointVerifier.BadSignature, Reason(signed.ToByteArray()));
    }

    [Fact]
    public void A_setpoint_signed_by_another_key_is_rejected_even_when_it_claims_the_pinned_key_id()
    {
        using var other = new SetpointFactory(Now);
        var signed = other.Sign(other.Setpoint("sp-k"));
        Assert.Contains("not the pinned key", Reason(signed.ToByteArray()));
        signed.KeyId = SetpointSignature.KeyId(_collector.Key);
        Assert.Equal(SetpointVerifier.BadSignature, Reason(signed.ToByteArray()));
    }

    [Fact]
    public void Without_a_pinned_key_every_setpoint_is_rejected()
    {
        var verifier = new SetpointVerifier(CollectorKey.None, "site-1", TimeSpan.FromSeconds(5));
        var verdict = verifier.Verify(_collector.Signed(_collector.Setpoint("sp-n")), Now);
        Assert.Equal(SetpointVerifier.NoKeyPinned, Assert.IsType<SetpointVerdict.Rejected>(verdict).Reason);
    }

    [Fact]
    public void A_setpoint_for_another_site_is_rejected_naming_it()
    {
        Assert.Equal("for site site-2, not this site", Reason(_collector.Signed(_collector.Setpoint("sp-o", site: "site-2"))));
    }

    [Fact]
    public void An_expired_setpoint_is_rejected()
    {
        var setpoint = _collector.Setpoint("sp-e", start: Now - TimeSpan.FromMinutes(10), lifetime: TimeSpan.FromMinutes(9));
        Assert.Equal(SetpointVerifier.Expired, Reason(_collector.Signed(setpoint)));
    }

    [Fact]
    public void A_setpoint_issued_beyond_the_clock_tolerance_in_the_future_is_rejected()
    {
        var setpoint = _collector.Setpoint("sp-f", issued: Now + TimeSpan.FromSeconds(30));
        Assert.Contains("future", Reason(_collector.Signed(setpoint)));
        Assert.IsType<SetpointVerdict.Accepted>(_verifier.Verify(_collector.Signed(_collector.Setpoint("sp-f2", issued: Now + TimeSpan.FromSeconds(4))), Now));
    }

    [Fact]
    public void A_replayed_setpoint_is_a_duplicate_answered_with_the_earlier_ack()
    {
        var payload = _collector.Signed(_collector.Setpoint("sp-r"));
        var accepted = Assert.IsType<SetpointVerdict.Accepted>(_verifier.Verify(payload, Now));
        _verifier.Accept(accepted.Setpoint);
        Assert.Null(Assert.IsType<SetpointVerdict.Duplicate>(_verifier.Verify(payload, Now)).PreviousAck);
        var ack = new SetpointAck { SetpointId = "sp-r", Result = SetpointAck.Types.Result.Applied };
        _verifier.Answered("sp-r", ack);
        Assert.Same(ack, Assert.IsType<SetpointVerdict.Duplicate>(_verifier.Verify(payload, Now + TimeSpan.FromMinutes(5))).PreviousAck);
    }

    [Fact]
    public void A_forged_copy_cannot_claim_a_setpoint_id()
    {
        var unsigned = new SignedSetpoint { Setpoint = _collector.Setpoint("sp-x").ToByteString() };
        _verifier.Verify(unsigned.ToByteArray(), Now);
        Assert.IsType<SetpointVerdict.Accepted>(_verifier.Verify(_collector.Signed(_collector.Setpoint("sp-x")), Now));
    }

    [Fact]
    public void An_older_setpoint_of_the_same_dispatch_is_superseded_and_other_dispatches_are_not()
    {
        var newer = _collector.Setpoint("sp-2", issued: Now);
        _verifier.Accept(Assert.IsType<SetpointVerdict.Accepted>(_verifier.Verify(_collector.Signed(newer), Now)).Setpoint);

        var older = _collector.Setpoint("sp-1", issued: Now - TimeSpan.FromSeconds(10));
        Assert.StartsWith(SetpointVerifier.Superseded, Reason(_collector.Signed(older)));
        var otherDispatch = _collector.Setpoint("sp-3", dispatch: "d-2", issued: Now - TimeSpan.FromSeconds(10));
        Assert.IsType<SetpointVerdict.Accepted>(_verifier.Verify(_collector.Signed(otherDispatch), Now));
    }

    [Fact]
    public void The_replay_memory_forgets_ids_once_they_expired_plus_the_tolerance()
    {
        var setpoint = _collector.Setpoint("sp-m", lifetime: TimeSpan.FromMinutes(1));
        _verifier.Accept(Assert.IsType<SetpointVerdict.Accepted>(_verifier.Verify(_collector.Signed(setpoint), Now)).Setpoint);
        Assert.Equal(1, _verifier.RememberedCount);

        _verifier.Verify([0xFF], Now + TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(4));
        Assert.Equal(1, _verifier.RememberedCount);
        _verifier.Verify([0xFF], Now + TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(6));
        Assert.Equal(0, _verifier.RememberedCount);
        // And a replay after that is still refused: it has expired.
        Assert.Equal(SetpointVerifier.Expired, Assert.IsType<SetpointVerdict.Rejected>(_verifier.Verify(_collector.Signed(setpoint), Now + TimeSpan.FromMinutes(2))).Reason);
    }
}
