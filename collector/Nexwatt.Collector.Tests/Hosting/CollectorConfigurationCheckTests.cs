using Microsoft.Extensions.Configuration;
using Nexwatt.Collector.Dispatch;
using Nexwatt.Collector.Hosting;
using Nexwatt.Configuration;

namespace Nexwatt.Collector.Tests.Hosting;

/// <summary>The collector's configuration as text, checked against its options classes before binding.</summary>
public class CollectorConfigurationCheckTests
{
    private static ConfigurationManager Configuration(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)));
        return configuration;
    }

    [Fact]
    public void A_dispatch_program_with_a_bad_value_is_an_error_where_the_binder_alone_would_drop_it()
    {
        var configuration = Configuration(("Dispatch:Programs:gold:ReservePct", "20%"), ("Dispatch:Programs:gold:MaxSocPct", "90"));
        // The binder skips the dictionary entry whose conversion fails: program "gold" would get the defaults.
        Assert.Empty(configuration.GetSection("Dispatch").Get<DispatchOptions>()!.Programs);
        var ex = Assert.Throws<InvalidConfigurationException>(() => CollectorConfigurationCheck.Apply(configuration, new Dictionary<string, string>()));
        Assert.Equal(["Dispatch:Programs:gold:ReservePct '20%' is not a number such as 12 or 0.5."], ex.Problems);
    }

    [Fact]
    public void Durations_typed_as_5s_bind_and_unknown_keys_name_the_closest_known_one()
    {
        var configuration = Configuration(("Dispatch:ConfirmTimeout", "15s"), ("Collector:AssetLookupCacheDuration", "2m"),
            ("Collector:Storage:Provder", "postgres"), ("Collector:Storag:SqlitePath", "x"), ("Collector:Management:Tokens:0", "t"),
            ("Dispatch:Resources:PJM-1:IsoZon", "PJM"));
        var warnings = CollectorConfigurationCheck.Apply(configuration, new Dictionary<string, string> { ["NEXWATT_Agent__SiteId"] = "s", ["NEXWATT_Dispach__X"] = "1" });
        Assert.Equal(
        [
            "Collector:Storag is not a known setting; it is ignored (did you mean Collector:Storage?).",
            "Collector:Storage:Provder is not a known setting; it is ignored (did you mean Collector:Storage:Provider?).",
            "Dispatch:Resources:PJM-1:IsoZon is not a known setting; it is ignored (did you mean Dispatch:Resources:PJM-1:IsoZone?).",
            "environment variable NEXWATT_Dispach__X: 'Dispach' is not a known section; it is ignored (did you mean NEXWATT_Dispatch__...?).",
        ], warnings);
        Assert.Equal(TimeSpan.FromSeconds(15), configuration.GetSection("Dispatch").Get<DispatchOptions>()!.ConfirmTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), configuration.GetSection("Collector").Get<CollectorOptions>()!.AssetLookupCacheDuration);
    }

    [Fact]
    public void The_shipped_appsettings_has_no_unknown_key_and_pins_no_storage_provider()
    {
        var configuration = new ConfigurationManager();
        configuration.AddJsonFile(Path.Combine(Nexwatt.Testing.RepoPaths.Root, "collector", "Nexwatt.Collector", "appsettings.json"));
        Assert.Empty(CollectorConfigurationCheck.Apply(configuration, new Dictionary<string, string>()));
        // A connection string alone must select PostgreSQL (collector/README.md): the shipped file leaves Provider unset.
        Assert.Null(configuration["Collector:Storage:Provider"]);
    }
}
