using Microsoft.Extensions.Logging;

namespace Nexwatt.Collector.Api;

// Event ids 4200-4209: site registry. Never the token, only whether one was issued.
internal static partial class SiteLog
{
    [LoggerMessage(4200, LogLevel.Information, "Site {SiteId} registered (new: {Created}, token issued: {TokenIssued}, certificate subject: {CertificateSubject})")]
    public static partial void Registered(ILogger logger, string siteId, bool created, bool tokenIssued, string certificateSubject);
}
