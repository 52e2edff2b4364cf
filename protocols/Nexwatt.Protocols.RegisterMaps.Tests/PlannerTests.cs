namespace Nexwatt.Protocols.RegisterMaps.Tests;

public sealed class PlannerTests
{
    [Fact]
    public void Groups_points_within_the_gap_and_the_read_limit()
    {
        var map = TestMaps.Parse();
        var blocks = ReadPlanner.Plan(map.Points, map.Limits, 1);
        // model 0-3 alone (gap 6 > 2); power..energy 10-15 in one read; command+setpoint 30-32 in one.
        Assert.Equal([(0, 4), (10, 6), (30, 3)], blocks.Select(b => ((int)b.Start, b.Count)));
        Assert.All(blocks, b => Assert.True(b.Count <= map.Limits.MaxRegistersPerRead));
    }

    [Fact]
    public void Splits_when_the_device_limit_is_reached()
    {
        var map = TestMaps.Parse().With(limits: new MapLimits(4, 2));
        var blocks = ReadPlanner.Plan(map.Points.Where(p => p.Address is >= 10 and < 20), map.Limits, 1);
        Assert.Equal([(10, 4), (14, 2)], blocks.Select(b => ((int)b.Start, b.Count)));
    }

    [Fact]
    public void Never_mixes_kinds_or_units()
    {
        var map = TestMaps.Parse();
        var input = map.Get("soc") with { Name = "soc-input", Kind = RegisterKind.Input };
        var other = map.Get("sf") with { Name = "sf-unit-2", UnitId = 2 };
        var blocks = ReadPlanner.Plan([map.Get("power"), map.Get("soc"), input, other], map.Limits, 1);
        Assert.Equal(3, blocks.Count);
        Assert.Contains(blocks, b => b.UnitId == 2 && b.Start == 13);
        Assert.Contains(blocks, b => b.Kind == RegisterKind.Input && b.Start == 12);
    }
}

internal static class MapExtensions
{
    public static RegisterMap With(this RegisterMap map, MapLimits limits) => map with { Limits = limits };
}
