using Nexwatt.HardwareSim.Devices;
using Nexwatt.Testing;

namespace Nexwatt.HardwareSim.Tests.Devices;

/// <summary>
/// The register addresses other teams (the edge agent, bench scripts, the README) rely on. A change here
/// is a breaking change of the simulator's contract.
/// </summary>
public sealed class DefaultLayoutTests
{
    private readonly FakeTimeProvider _time = new(TestPlans.MidsummerNoon);

    [Fact]
    public void Inverter_models_and_controls_sit_at_the_documented_addresses()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Inverter());
        var device = sim.Devices[0];
        Assert.Equal(new (ushort, ushort)[] { (1, 40002), (103, 40070), (120, 40122), (121, 40150), (122, 40182), (123, 40228), (160, 40254) },
            device.Layout.Select(m => (m.ModelId, m.Address)));
        Assert.Equal(40084, device.AddressOf(103, "W"));
        Assert.Equal(40152, device.AddressOf(121, "WMax"));
        Assert.Equal(40232, device.AddressOf(123, "Conn"));
        Assert.Equal(40233, device.AddressOf(123, "WMaxLimPct"));
        Assert.Equal(40235, device.AddressOf(123, "WMaxLimPct_RvrtTms"));
        Assert.Equal(40237, device.AddressOf(123, "WMaxLim_Ena"));
        Assert.Equal(40251, device.AddressOf(123, "WMaxLimPct_SF"));
        var end = new ushort[2];
        Assert.Null(device.Read(40304, end));
        Assert.Equal(new ushort[] { 0xFFFF, 0 }, end);
    }

    [Fact]
    public void Battery_models_and_controls_sit_at_the_documented_addresses()
    {
        using var sim = TestPlans.Simulation(_time, TestPlans.Battery());
        var device = sim.Devices[0];
        Assert.Equal(new (ushort, ushort)[] { (1, 40002), (103, 40070), (124, 40122), (802, 40148), (713, 40212) },
            device.Layout.Select(m => (m.ModelId, m.Address)));
        Assert.Equal(40124, device.AddressOf(124, "WChaMax"));
        Assert.Equal(40127, device.AddressOf(124, "StorCtl_Mod"));
        Assert.Equal(40129, device.AddressOf(124, "MinRsvPct"));
        Assert.Equal(40134, device.AddressOf(124, "OutWRte"));
        Assert.Equal(40135, device.AddressOf(124, "InWRte"));
        Assert.Equal(40137, device.AddressOf(124, "InOutWRte_RvrtTms"));
        Assert.Equal(40139, device.AddressOf(124, "ChaGriSet"));
        Assert.Equal(40147, device.AddressOf(124, "InOutWRte_SF"));
        Assert.Equal(40159, device.AddressOf(802, "SoC"));
        Assert.Equal(40195, device.AddressOf(802, "W"));
        var end = new ushort[2];
        Assert.Null(device.Read(40221, end));
        Assert.Equal(new ushort[] { 0xFFFF, 0 }, end);
    }
}
