using Nexwatt.EdgeAgent.Configuration;

namespace Nexwatt.EdgeAgent.Tests;

public class AddressRangeTests
{
    [Theory]
    [InlineData("192.168.1.10", "192.168.1.10", "192.168.1.10", 1)]
    [InlineData("192.168.1.10-20", "192.168.1.10", "192.168.1.20", 11)]
    [InlineData("192.168.1.250-192.168.2.3", "192.168.1.250", "192.168.2.3", 10)]
    [InlineData("10.0.0.17/28", "10.0.0.16", "10.0.0.31", 16)]
    [InlineData(" 127.0.0.1 ", "127.0.0.1", "127.0.0.1", 1)]
    public void Parses_the_forms_installers_type(string text, string first, string last, int count)
    {
        var range = AddressRange.Parse(text);
        Assert.Equal(first, range.First.ToString());
        Assert.Equal(last, range.Last.ToString());
        Assert.Equal(count, range.Count);
        Assert.Equal(count, range.Addresses().Count());
        Assert.Equal(last, range.Addresses().Last().ToString());
    }

    [Theory]
    [InlineData("192.168.1", "not an IPv4 address")]
    [InlineData("192.168.1.20-10", "ends before it starts")]
    [InlineData("10.0.0.0/8", "16777216 addresses")]
    [InlineData("10.0.0.0/33", "CIDR")]
    [InlineData("::1", "not an IPv4 address")]
    [InlineData("host.example", "not an IPv4 address")]
    public void Refuses_what_is_not_a_bounded_IPv4_range(string text, string expected)
    {
        Assert.False(AddressRange.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }
}
