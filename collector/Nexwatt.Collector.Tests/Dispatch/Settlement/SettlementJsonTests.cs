using System.Text.Json;
using Nexwatt.Collector.Dispatch.Settlement;
using Nexwatt.Collector.Domain;
using static Nexwatt.Collector.Tests.Dispatch.Settlement.SettlementData;

namespace Nexwatt.Collector.Tests.Dispatch.Settlement;

public class SettlementJsonTests
{
    private static readonly SettlementReport Report = new SettlementReportBuilder().Build(Input());

    [Fact]
    public void Round_trips_to_the_same_report()
    {
        var json = SettlementJson.Serialize(Report);
        var back = SettlementJson.Deserialize(json);

        Assert.Equal(json, SettlementJson.Serialize(back));
        Assert.Equal(Report.AssetIntervals, back.AssetIntervals);
        Assert.Equal(Report.CohortIntervals, back.CohortIntervals);
        Assert.Equal(Report.FleetIntervals, back.FleetIntervals);
        Assert.Equal(Report.Assets, back.Assets);
        Assert.Equal(Report.Cohorts, back.Cohorts);
        Assert.Equal(Report.Fleet, back.Fleet);
        Assert.Equal(Report.Payment, back.Payment);
        Assert.Equal(Report with { AssetIntervals = [], CohortIntervals = [], FleetIntervals = [], Assets = [], Cohorts = [] },
            back with { AssetIntervals = [], CohortIntervals = [], FleetIntervals = [], Assets = [], Cohorts = [] });
    }

    [Fact]
    public void Names_are_snake_case_and_enums_are_names()
    {
        using var document = JsonDocument.Parse(SettlementJson.Serialize(Report));
        var root = document.RootElement;

        Assert.Equal("d-1", root.GetProperty("dispatch_id").GetString());
        Assert.Equal("discharge", root.GetProperty("direction").GetString());
        Assert.Equal(0.012, root.GetProperty("megawatts_requested").GetDouble());
        var a2 = root.GetProperty("asset_intervals").EnumerateArray().First(r => r.GetProperty("asset_id").GetString() == "a2");
        Assert.Equal(["late"], a2.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(["missing"], a2.GetProperty("baseline_flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("asset_intervals").EnumerateArray()
            .First(r => r.GetProperty("asset_id").GetString() == "p2").GetProperty("metered_kw").ValueKind);
        Assert.Equal(12.00m, root.GetProperty("payment").GetProperty("amount").GetDecimal());
        Assert.Equal(5.96m, root.GetProperty("cohorts")[1].GetProperty("capacity_payment").GetDecimal());
        Assert.True(root.TryGetProperty("baseline_method", out _));
        Assert.True(root.GetProperty("fleet").TryGetProperty("performance_ratio", out _));
        Assert.Equal(QualityFlags.Late | QualityFlags.Missing, SettlementJson.Deserialize(SettlementJson.Serialize(Report)).CohortIntervals[0].Flags);
    }
}
