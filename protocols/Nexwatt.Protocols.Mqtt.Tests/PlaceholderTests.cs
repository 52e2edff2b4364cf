namespace Nexwatt.Protocols.Mqtt.Tests;

public class QualityOfServiceTests
{
    [Fact]
    public void Levels_have_their_wire_values() => Assert.Equal([0, 1], Enum.GetValues<MqttQualityOfService>().Select(q => (int)q));
}
