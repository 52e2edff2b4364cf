using System.Text;
using System.Text.RegularExpressions;

namespace Nexwatt.Protocols.Enphase.Decoding;

/// <summary>
/// Recognizes the gateway's non-data answers: 3.x HTML pages ("Page Not Found" with status 200), the nginx
/// "401 Authorization Required" page of token firmware, and the JSON 404 body {"error":"404 - Not Found"}.
/// </summary>
internal static partial class ResponsePage
{
    public static bool LooksLikeHtml(ReadOnlySpan<byte> body)
    {
        // 3.x pages may start with a bare "<h1>"; no JSON body starts with '<'.
        var trimmed = body.TrimStart(" \t\r\n"u8);
        return trimmed.Length > 0 && trimmed[0] == (byte)'<' && !trimmed.StartsWith("<?xml"u8);
    }

    /// <summary>True for the bodies a gateway sends for a path it does not have, whatever the status code says.</summary>
    public static bool IsNotFound(ReadOnlySpan<byte> body)
    {
        var text = Encoding.Latin1.GetString(body.Length > 65536 ? body[..65536] : body);
        return text.Contains("Page Not Found", StringComparison.OrdinalIgnoreCase)
            || text.Contains("404", StringComparison.Ordinal) && (text.Contains("Not Found", StringComparison.OrdinalIgnoreCase) || text.Contains("NotFound", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>True for the gateway's "401 Authorization Required" / "401 Unauthorized" pages.</summary>
    public static bool IsUnauthorized(ReadOnlySpan<byte> body)
    {
        var text = Encoding.Latin1.GetString(body.Length > 65536 ? body[..65536] : body);
        return text.Contains("401 Authorization Required", StringComparison.OrdinalIgnoreCase) || text.Contains("401 Unauthorized", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The page's title (or first heading), for error messages.</summary>
    public static string Describe(ReadOnlySpan<byte> body)
    {
        var text = Encoding.Latin1.GetString(body.Length > 65536 ? body[..65536] : body);
        var match = TitlePattern().Match(text);
        return match.Success ? $"page \"{match.Groups[1].Value.Trim()}\"" : "untitled page";
    }

    [GeneratedRegex(@"<(?:title|h1|h2)>([^<]{1,120})<", RegexOptions.IgnoreCase)]
    private static partial Regex TitlePattern();
}
