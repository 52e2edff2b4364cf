using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Tests;

public class DomainTests
{
    [Fact]
    public void Quality_flags_combine_without_losing_any() =>
        Assert.Equal(QualityFlags.Late | QualityFlags.Gap, (QualityFlags.Late | QualityFlags.Gap) & ~QualityFlags.Missing);
}
