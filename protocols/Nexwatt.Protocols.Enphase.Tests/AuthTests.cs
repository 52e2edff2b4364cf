using System.Text;
using Nexwatt.Protocols.Enphase.Auth;

namespace Nexwatt.Protocols.Enphase.Tests;

public sealed class AuthTests
{
    [Fact]
    public void Digest_Rfc2617Example_GivesTheSpecResponse()
    {
        // RFC 2617 §3.5 (the MD5/qop=auth case RFC 7616 keeps): response 6629fae49393a05397450978507c4ef1.
        var challenge = DigestAuthenticator.ParseChallenge(
            "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
        Assert.NotNull(challenge);
        var header = DigestAuthenticator.Authorization(challenge!, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", "0a4f113b", 1);
        Assert.Contains("response=\"6629fae49393a05397450978507c4ef1\"", header);
        Assert.Contains("nc=00000001", header);
        Assert.Contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", header);
    }

    [Fact]
    public void Digest_GatewayChallengeFromTheCaptures_IsUnderstood()
    {
        var challenge = DigestAuthenticator.ParseChallenge("Digest qop=\"auth\", realm=\"enphaseenergy.com\", nonce=\"Kz8MZRV4a9h25Ea4+ikZbKDannY=\"");
        Assert.Equal("enphaseenergy.com", challenge!.Realm);
        Assert.Equal("Kz8MZRV4a9h25Ea4+ikZbKDannY=", challenge.Nonce);
        Assert.True(challenge.QopAuth);
        Assert.Null(DigestAuthenticator.ParseChallenge("Basic realm=\"x\""));
        Assert.Null(DigestAuthenticator.ParseChallenge("Digest realm=\"x\", nonce=\"n\", algorithm=SHA-256"));
    }

    [Fact]
    public void DefaultEnvoyPassword_IsTheLastSixSerialDigits() =>
        Assert.Equal("789012", DigestAuthenticator.DefaultEnvoyPassword("123456789012"));

    [Fact]
    public void Jwt_ExpiryAndUserTypeAreRead_AndLifetimeClassified()
    {
        var exp = new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var token = JwtToken.Parse(Token($"{{\"aud\":\"123456789012\",\"iss\":\"Entrez\",\"enphaseUser\":\"owner\",\"exp\":{exp.ToUnixTimeSeconds()},\"iat\":1700000000}}"));
        Assert.Equal(exp, token.ExpiresAt);
        Assert.Equal("owner", token.UserType);
        Assert.Equal(JwtLifetime.Valid, token.LifetimeAt(exp.AddDays(-31)));
        Assert.Equal(JwtLifetime.NearExpiry, token.LifetimeAt(exp.AddDays(-29)));
        Assert.Equal(JwtLifetime.Expired, token.LifetimeAt(exp));
        Assert.DoesNotContain(token.Raw, token.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.!!!.c")]
    [InlineData("a.W10.c")] // payload "[]": not an object
    public void Jwt_Garbage_IsAFormatErrorWithTheReason(string text) =>
        Assert.Throws<FormatException>(() => JwtToken.Parse(text));

    internal static string Token(string payloadJson) =>
        $"{B64("{\"alg\":\"ES256\",\"typ\":\"JWT\"}")}.{B64(payloadJson)}.c2lnbmF0dXJl";

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
