namespace Nexwatt.Protocols.Grpc.AspNetCore;

internal static class AssemblyMarker;
