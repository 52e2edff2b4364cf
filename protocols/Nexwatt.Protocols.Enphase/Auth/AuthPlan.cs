namespace Nexwatt.Protocols.Enphase.Auth;

public enum GatewayAuthScheme
{
    /// <summary>Below firmware 7: plain HTTP, Digest on protected paths.</summary>
    Digest,
    /// <summary>Firmware 7 and later: HTTPS with the gateway's self-signed certificate and a JWT bearer token.</summary>
    BearerToken,
}

/// <summary>The firmware → transport and auth decision, made once from /info.</summary>
public sealed record AuthPlan(GatewayAuthScheme Scheme, bool Https)
{
    public static AuthPlan For(Decoding.GatewayInfo info) =>
        info.Firmware >= FirmwareVersion.TokenAuth || info.WebTokens
            ? new AuthPlan(GatewayAuthScheme.BearerToken, Https: true)
            : new AuthPlan(GatewayAuthScheme.Digest, Https: false);

    public string Describe() => Scheme == GatewayAuthScheme.BearerToken ? "HTTPS + JWT bearer token" : "HTTP + Digest";
}
