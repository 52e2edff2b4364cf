namespace Nexwatt.HardwareSim.Enphase;

/// <summary>
/// Which paths need credentials (shared/reference/enphase/README.md, "Authentication by firmware"): below 7, Digest on
/// the protected paths only (/info, /production.json, /api/v1/production, the meters and the ensemble stay open);
/// from 7 a token on everything but /info and /home.
/// </summary>
internal static class GatewayAccessPolicy
{
    private static readonly string[] DigestProtectedPrefixes = ["/api/v1/production/inverters", "/admin/lib/", "/ivp/pdm/"];

    public static bool NeedsCredentials(GatewayGeneration generation, string path)
    {
        if (path is "/info") return false;
        if (generation.UsesTokens) return path is not "/home";
        return path == "/production" || DigestProtectedPrefixes.Any(p => path.StartsWith(p, StringComparison.Ordinal));
    }
}
