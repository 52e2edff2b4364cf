using Nexwatt.EdgeAgent.Dispatch;

namespace Nexwatt.EdgeAgent.Tests.Dispatch;

public sealed class DispatchOptionsTests
{
    private static List<string> Problems(DispatchOptions options)
    {
        var problems = new List<string>();
        options.Validate(problems);
        return problems;
    }

    [Fact]
    public void Defaults_are_valid_and_reassert_a_third_of_the_revert_timeout()
    {
        var options = new DispatchOptions();
        Assert.Empty(Problems(options));
        Assert.Equal(TimeSpan.FromSeconds(20), options.EffectiveReassertInterval);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var problems = Problems(new DispatchOptions
        {
            RevertTimeout = TimeSpan.FromSeconds(2),
            ReassertInterval = TimeSpan.FromSeconds(10),
            MaxSiteDischargeW = -1,
            MaxSiteChargeW = -5,
            ClockSkewTolerance = TimeSpan.FromHours(1),
            CollectorPublicKeyFile = "/nonexistent/collector.pem",
        });
        Assert.Equal(6, problems.Count);
        Assert.All(problems, p => Assert.StartsWith("Agent:Dispatch", p, StringComparison.Ordinal));
    }

    [Fact]
    public void A_reassert_interval_of_half_the_timeout_or_more_is_refused()
    {
        Assert.Single(Problems(new DispatchOptions { RevertTimeout = TimeSpan.FromSeconds(10), ReassertInterval = TimeSpan.FromSeconds(5) }));
        Assert.Empty(Problems(new DispatchOptions { RevertTimeout = TimeSpan.FromSeconds(10), ReassertInterval = TimeSpan.FromSeconds(4) }));
    }

    [Fact]
    public void A_key_that_is_not_a_P256_public_key_is_refused_and_a_good_one_pins()
    {
        Assert.Contains("not a P-256", Assert.Single(Problems(new DispatchOptions { CollectorPublicKeyPem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----" })));
        using var collector = new SetpointFactory(DateTimeOffset.UnixEpoch);
        var options = new DispatchOptions { CollectorPublicKeyPem = collector.PublicPem() };
        Assert.Empty(Problems(options));
        using var key = CollectorKey.FromOptions(options);
        Assert.Equal(Nexwatt.Protos.Signing.SetpointSignature.KeyId(collector.Key), key.KeyId);
    }
}
