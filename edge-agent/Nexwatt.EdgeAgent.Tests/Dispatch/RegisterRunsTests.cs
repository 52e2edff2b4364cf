using Nexwatt.EdgeAgent.Dispatch;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

public sealed class RegisterRunsTests
{
    private static readonly SunSpecModelCatalog Catalog = SunSpecModelCatalog.LoadBuiltIn();

    [Fact]
    public void Storage_controls_take_two_writes_because_read_only_points_sit_between_the_mode_and_the_rates()
    {
        var block = SunSpecModelBlock.Create(Catalog.Get(124));
        block.WriteRaw("InOutWRte_SF", -1);
        block.WriteScaled("OutWRte", 40);
        block.WriteRaw("InWRte", 0);
        block.WriteRaw("InOutWRte_RvrtTms", 60);
        block.WriteRaw("InOutWRte_WinTms", 0);
        block.WriteRaw("StorCtl_Mod", 2);

        var runs = RegisterRuns.Plan(block, ["StorCtl_Mod", "OutWRte", "InWRte", "InOutWRte_RvrtTms"], "StorCtl_Mod");

        Assert.Equal(2, runs.Count);
        // Rates, window (written back as read) and revert timer first, in one write...
        Assert.Equal(block.GetOffset("OutWRte"), runs[0].Offset);
        Assert.Equal(new ushort[] { 400, 0, 0, 60 }, runs[0].Values);
        // ...then the mode bit that acts on them.
        Assert.Equal(block.GetOffset("StorCtl_Mod"), runs[1].Offset);
        Assert.Equal(new ushort[] { 2 }, runs[1].Values);
    }

    [Fact]
    public void Export_limit_points_merge_into_one_write_over_the_writable_gap()
    {
        var block = SunSpecModelBlock.Create(Catalog.Get(123));
        block.WriteRaw("WMaxLimPct_SF", 0);
        block.WriteScaled("WMaxLimPct", 50);
        block.WriteRaw("WMaxLimPct_WinTms", 0);
        block.WriteRaw("WMaxLimPct_RvrtTms", 30);
        block.WriteRaw("WMaxLimPct_RmpTms", 0);
        block.WriteRaw("WMaxLim_Ena", 1);

        var run = Assert.Single(RegisterRuns.Plan(block, ["WMaxLimPct", "WMaxLimPct_RvrtTms", "WMaxLim_Ena"], "WMaxLim_Ena"));

        Assert.Equal(block.GetOffset("WMaxLimPct"), run.Offset);
        Assert.Equal(new ushort[] { 50, 0, 30, 0, 1 }, run.Values);
    }
}
