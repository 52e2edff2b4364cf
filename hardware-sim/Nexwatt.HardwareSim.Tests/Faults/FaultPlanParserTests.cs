using Nexwatt.HardwareSim.Faults;
using Nexwatt.Protocols.Modbus;

namespace Nexwatt.HardwareSim.Tests.Faults;

public sealed class FaultPlanParserTests
{
    [Fact]
    public void Parses_every_fault()
    {
        Assert.True(FaultPlanParser.TryParse("drop=0.1,drop-every=10,slow=500@0.5,exception=0.05:4,garbage=0.01,corrupt=0.02,freeze", out var plan, out var error), error);
        Assert.Equal(0.1, plan.DropProbability);
        Assert.Equal(10, plan.DropEvery);
        Assert.Equal(500, plan.SlowMilliseconds);
        Assert.Equal(0.5, plan.SlowProbability);
        Assert.Equal(0.05, plan.ExceptionProbability);
        Assert.Equal(ModbusExceptionCode.ServerDeviceFailure, plan.ExceptionCode);
        Assert.Equal(0.01, plan.GarbageProbability);
        Assert.Equal(0.02, plan.CorruptProbability);
        Assert.True(plan.Frozen);
        Assert.True(FaultPlanParser.TryParse(plan.ToString(), out var again, out _));
        Assert.Equal(plan, again);
    }

    [Theory]
    [InlineData("drop=2")]
    [InlineData("drop-every=0")]
    [InlineData("slow=abc")]
    [InlineData("exception=0.1:7")]
    [InlineData("explode=1")]
    public void Rejects_bad_specs_with_a_message(string spec)
    {
        Assert.False(FaultPlanParser.TryParse(spec, out _, out var error));
        Assert.Contains(spec.Split('=')[0], error);
    }

    [Fact]
    public void None_clears()
    {
        Assert.True(FaultPlanParser.TryParse("none", out var plan, out _));
        Assert.True(plan.IsNone);
    }
}
