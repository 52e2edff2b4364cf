using System.Text.Json;
using Nexwatt.Testing;

namespace Nexwatt.EdgeAgent.Tests.Integration;

/// <summary>
/// The agent against an implementation that is not ours: pymodbus (Debian's python3-pymodbus) serves the
/// SunSpec Alliance's own test register maps from ../shared/reference, and `read` must decode them to the
/// values those files document.
/// </summary>
public class PymodbusInteropTests
{
    private static string Image(string name) => Path.Combine(RepoPaths.SharedReference, "sunspec", "devices", name);

    private static async Task<JsonElement> ReadThroughPymodbus(string image)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "peers", "pymodbus_image_server.py");
        await using var server = DebianPython.Start(script, Image(image), "1");
        var ready = await server.WaitForLineAsync(l => l.StartsWith("READY port=", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var port = ready.Split(' ')[1]["port=".Length..];

        var (code, output) = await AgentProcess.RunAsync("read", "--host", "127.0.0.1", "--port", port, "--unit", "1", "--json");
        Assert.True(code == 0, $"{output}\npymodbus log:\n{server.Log}");
        return JsonDocument.Parse(AgentProcess.JsonPart(output)).RootElement.Clone();
    }

    private static JsonElement Point(JsonElement device, int modelId, string point, int instance = 0) =>
        device.GetProperty("models").EnumerateArray().Where(m => m.GetProperty("id").GetInt32() == modelId).ElementAt(instance)
            .GetProperty("points").EnumerateArray().Single(p => p.GetProperty("point").GetString() == point).GetProperty("value");

    [Fact]
    public async Task Decodes_the_three_phase_test_inverter_served_by_pymodbus()
    {
        var device = await ReadThroughPymodbus("pysunspec_mbmap_test_inverter_1.xml");

        Assert.Equal("SunSpecTest", device.GetProperty("common").GetProperty("manufacturer").GetString());
        Assert.Equal("TestInverter-1", device.GetProperty("common").GetProperty("model").GetString());
        Assert.Equal("sn-123456789", device.GetProperty("common").GetProperty("serialNumber").GetString());
        Assert.Equal([1, 103], device.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetInt32()));
        Assert.Equal(12.4, Point(device, 103, "A").GetDouble(), 9);
        Assert.Equal(4.1, Point(device, 103, "AphA").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, Point(device, 103, "PPVphAB").ValueKind); // 0xFFFF: not implemented, never 65535
        Assert.Equal(240.1, Point(device, 103, "PhVphA").GetDouble(), 9);
        Assert.Equal(2970, Point(device, 103, "W").GetDouble());
        Assert.Equal(59.99, Point(device, 103, "Hz").GetDouble(), 9);
        Assert.Equal(0.1, Point(device, 103, "VAr").GetDouble(), 9);
        Assert.Equal(0.995, Point(device, 103, "PF").GetDouble(), 9);
        Assert.Equal(1234567, Point(device, 103, "WH").GetDouble());
        Assert.Equal(300.1, Point(device, 103, "DCV").GetDouble(), 9);
        Assert.Equal(40.1, Point(device, 103, "TmpCab").GetDouble(), 9);
    }

    [Fact]
    public async Task Decodes_three_instances_of_the_MPPT_model_with_their_modules()
    {
        var device = await ReadThroughPymodbus("pysunspec_mbmap_test_inverter_3.xml");

        Assert.Equal([1, 103, 160, 160, 160], device.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetInt32()));
        Assert.Equal(300.11, Point(device, 160, "module[0].DCV").GetDouble(), 9);
        Assert.Equal(300.13, Point(device, 160, "module[2].DCV").GetDouble(), 9);
        Assert.Equal(1.1, Point(device, 160, "module[0].DCA").GetDouble(), 9);
        Assert.Equal(3, Point(device, 160, "N").GetDouble());
        Assert.Equal(300.21, Point(device, 160, "module[0].DCV", instance: 1).GetDouble(), 9);
    }

    [Fact]
    public async Task Tolerates_the_legacy_common_model_without_its_pad_register()
    {
        var device = await ReadThroughPymodbus("pysunspec_mbmap_test_device_2.xml");

        var common = device.GetProperty("models").EnumerateArray().Single();
        Assert.Equal(65, common.GetProperty("length").GetInt32());
        Assert.Equal("TestDevice-2", device.GetProperty("common").GetProperty("model").GetString());
    }
}
