using Nexwatt.Collector.Registry;

namespace Nexwatt.Collector.Tests.Registry;

public class EnrollmentCsvTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\r\nlines", "\"two\r\nlines\"")]
    [InlineData("lf\nonly", "\"lf\nonly\"")]
    public void Fields_are_quoted_only_when_rfc_4180_requires_it(string value, string expected) =>
        Assert.Equal(expected, EnrollmentCsv.Field(value));

    [Fact]
    public void An_empty_zone_exports_the_header_alone() =>
        Assert.Equal(string.Join(",", EnrollmentCsv.Columns) + "\r\n", EnrollmentCsv.Write([]));
}
