namespace Nexwatt.Protocols.Grpc.Tests;

public class StatusCodeTests
{
    [Fact]
    public void Codes_have_their_wire_values() => Assert.Equal(16, (int)GrpcStatusCode.Unauthenticated);
}
