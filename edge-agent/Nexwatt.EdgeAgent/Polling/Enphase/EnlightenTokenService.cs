using System.Net.Http.Json;
using System.Text.Json;
using Nexwatt.Protocols.Enphase;
using Nexwatt.Protocols.Enphase.Auth;

namespace Nexwatt.EdgeAgent.Polling.Enphase;

/// <summary>
/// Renews a gateway token through Enphase's cloud, the flow pyenphase and the community scripts use: a form POST of
/// user[email] and user[password] to Enlighten's login.json gives a session_id; a JSON POST of
/// {session_id, serial_num, username} to Entrez's /tokens answers the JWT as text. Tested only against a local fake of
/// both services, not against Enphase's real ones. The link leaves the site, so it uses ordinary TLS validation.
/// </summary>
internal sealed class EnlightenTokenService(HttpClient http, Uri loginUrl, Uri tokenUrl, string user, string password) : IDisposable
{
    public void Dispose() => http.Dispose();

    public const string DefaultLoginUrl = "https://enlighten.enphaseenergy.com/login/login.json";
    public const string DefaultTokenUrl = "https://entrez.enphaseenergy.com/tokens";

    public async Task<JwtToken> RenewAsync(string gatewaySerial, CancellationToken cancellationToken)
    {
        using var form = new FormUrlEncodedContent([new("user[email]", user), new("user[password]", password)]);
        using var login = await http.PostAsync(loginUrl, form, cancellationToken).ConfigureAwait(false);
        if (!login.IsSuccessStatusCode)
            throw new EnphaseAuthException($"Enlighten login refused (HTTP {(int)login.StatusCode})");
        string? session;
        try
        {
            using var document = JsonDocument.Parse(await login.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            session = document.RootElement.TryGetProperty("session_id", out var s) ? s.GetString() : null;
        }
        catch (JsonException e) { throw new EnphaseAuthException($"Enlighten login answered something other than JSON ({e.Message})"); }
        if (string.IsNullOrEmpty(session)) throw new EnphaseAuthException("Enlighten login gave no session_id (wrong user or password?)");

        using var tokenResponse = await http.PostAsJsonAsync(tokenUrl, new { session_id = session, serial_num = gatewaySerial, username = user }, cancellationToken)
            .ConfigureAwait(false);
        if (!tokenResponse.IsSuccessStatusCode)
            throw new EnphaseAuthException($"Enphase token service refused the renewal (HTTP {(int)tokenResponse.StatusCode})");
        var text = await tokenResponse.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try { return JwtToken.Parse(text); }
        catch (FormatException e) { throw new EnphaseAuthException($"Enphase token service answered no token ({e.Message})"); }
    }

    /// <summary>Replaces the token file in one step, readable by the agent's user only.</summary>
    public static void Save(string tokenFile, JwtToken token)
    {
        var temporary = tokenFile + ".new";
        File.WriteAllText(temporary, token.Raw);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, tokenFile, overwrite: true);
    }
}
