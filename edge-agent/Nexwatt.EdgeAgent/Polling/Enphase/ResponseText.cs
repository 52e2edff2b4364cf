using System.Text;
using System.Text.Unicode;

namespace Nexwatt.EdgeAgent.Polling.Enphase;

/// <summary>
/// Gateway bodies as UTF-8 bytes whatever charset the gateway declares. Some firmware sends
/// <c>charset=ISO-8859-4</c>, which <see cref="HttpContent.ReadAsStringAsync()"/> refuses; the JSON is ASCII in
/// practice, so the declared charset is ignored: bytes that are valid UTF-8 pass unchanged (ASCII included), and
/// anything else is taken as Latin-1 (every byte is a character there, so nothing is lost) and re-encoded as UTF-8
/// for the JSON and XML decoders.
/// </summary>
internal static class ResponseText
{
    public static byte[] AsUtf8(byte[] body) =>
        Utf8.IsValid(body) ? body : Encoding.UTF8.GetBytes(Encoding.Latin1.GetString(body));
}
