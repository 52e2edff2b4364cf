namespace Nexwatt.Protocols.RegisterMaps.Tests;

/// <summary>A map with mistakes: each message names the problem and points at the line and column of the value at fault.</summary>
public sealed class ParserTests
{
    private static RegisterMapException Fails(string text) => Assert.Throws<RegisterMapException>(() => TestMaps.Parse(text));

    [Fact]
    public void Reads_a_valid_map()
    {
        var map = TestMaps.Parse();
        Assert.Equal("test-battery", map.Name);
        Assert.Equal(7, map.Points.Count);
        Assert.Equal("W", map.Get("power").Unit);
        Assert.Equal("Pct", map.Get("soc").Unit); // the canonical measurement's unit when the map gives none
        Assert.NotNull(map.Control);
    }

    [Fact]
    public void An_unknown_type_points_at_its_line_and_lists_the_accepted_ones()
    {
        var text = TestMaps.Battery.Replace("\"type\": \"uint16\", \"scale\": 0.1", "\"type\": \"uint61\", \"scale\": 0.1");
        var problem = Assert.Single(Fails(text).Problems);
        Assert.Equal(8, problem.Line);
        Assert.Equal("$.points[2].type", problem.Path);
        Assert.Contains("'uint61' is not one of", problem.Message);
        Assert.Contains("uint16", problem.Message);
        Assert.Equal(Column(text, 8, "\"uint61\""), problem.Column);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var text = TestMaps.Battery
            .Replace("\"canonical\": \"StateOfChargePct\"", "\"canonical\": \"StateOfCharge\"")
            .Replace("\"address\": 30,", "\"address\": 70000,")
            .Replace("\"scaleRegister\": \"sf\"", "\"scaleRegister\": \"nope\"");
        var problems = Fails(text).Problems;
        Assert.Contains(problems, p => p.Path == "$.points[2].canonical" && p.Line == 8 && p.Message.Contains("StateOfChargePct"));
        Assert.Contains(problems, p => p.Path == "$.points[5].address" && p.Line == 11 && p.Message.Contains("70000"));
        Assert.Contains(problems, p => p.Path == "$.points[4].scaleRegister" && p.Line == 10 && p.Message.Contains("'nope'"));
    }

    [Fact]
    public void A_control_may_bound_the_reassert_interval_within_reason()
    {
        Assert.Null(TestMaps.Parse().Control!.ReassertWithin);
        var bounded = TestMaps.Battery.Replace("\"revert\": \"none on the device\"", "\"revert\": \"none on the device\", \"reassertSeconds\": 5");
        Assert.Equal(TimeSpan.FromSeconds(5), TestMaps.Parse(bounded).Control!.ReassertWithin);
        var problem = Assert.Single(Fails(bounded.Replace("\"reassertSeconds\": 5", "\"reassertSeconds\": 0.2")).Problems);
        Assert.Equal("$.control.reassertSeconds", problem.Path);
        Assert.Contains("1..3600", problem.Message);
    }

    [Fact]
    public void A_syntax_error_gives_the_parsers_line()
    {
        var text = TestMaps.Battery.Replace("\"source\": \"written for the tests\",", "\"source\": \"written for the tests\"");
        var problem = Assert.Single(Fails(text).Problems);
        Assert.Equal(4, problem.Line);
    }

    [Fact]
    public void An_unknown_key_is_named()
    {
        var text = TestMaps.Battery.Replace("\"unit\": \"W\",", "\"units\": \"W\",");
        var problem = Assert.Single(Fails(text).Problems);
        Assert.Contains("units", problem.ToString());
        Assert.Equal(7, problem.Line);
    }

    [Fact]
    public void A_control_write_to_a_point_not_marked_writable_is_refused()
    {
        var text = TestMaps.Battery.Replace("{ \"name\": \"command\", \"address\": 30, \"type\": \"uint16\", \"writable\": true }",
            "{ \"name\": \"command\", \"address\": 30, \"type\": \"uint16\" }");
        var problems = Fails(text).Problems;
        Assert.All(problems, p => Assert.Contains("'command' is not marked writable", p.Message));
        Assert.Equal(3, problems.Count); // charge, discharge and stop each write it
        Assert.Contains(problems, p => p.Path == "$.control.stop[0].point" && p.Line == 19);
    }

    [Fact]
    public void A_sentinel_wider_than_its_point_is_refused()
    {
        var text = TestMaps.Battery.Replace("\"notAvailable\": [65535]", "\"notAvailable\": [\"0x10000\"]");
        Assert.Equal("$.points[2].notAvailable[0]", Assert.Single(Fails(text).Problems).Path);
    }

    [Fact]
    public void A_wrong_sign_is_refused_with_what_it_means()
    {
        var text = TestMaps.Battery.Replace("\"sign\": -1", "\"sign\": 2");
        Assert.Contains("-1 (device positive = import/charge)", Assert.Single(Fails(text).Problems).Message);
    }

    private static int Column(string text, int line, string token) => text.Split('\n')[line - 1].IndexOf(token, StringComparison.Ordinal) + 1;
}
