using System.Net;

namespace Nexwatt.Protocols.Grpc.Internal;

/// <summary>
/// The status a client synthesizes when a response is not HTTP 200 (grpc/doc/http-grpc-status-mapping.md):
/// 400 Internal, 401 Unauthenticated, 403 PermissionDenied, 404 Unimplemented, 429/502/503/504 Unavailable,
/// anything else Unknown. 501 (not in the table) is read as Unimplemented, its meaning in HTTP.
/// </summary>
internal static class HttpStatusMapping
{
    public static GrpcStatusCode ToGrpcStatus(HttpStatusCode status) => (int)status switch
    {
        400 => GrpcStatusCode.Internal,
        401 => GrpcStatusCode.Unauthenticated,
        403 => GrpcStatusCode.PermissionDenied,
        404 or 501 => GrpcStatusCode.Unimplemented,
        429 or 502 or 503 or 504 => GrpcStatusCode.Unavailable,
        >= 100 and < 200 => GrpcStatusCode.Internal,
        _ => GrpcStatusCode.Unknown,
    };
}
