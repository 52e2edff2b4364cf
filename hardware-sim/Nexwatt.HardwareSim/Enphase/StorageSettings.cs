namespace Nexwatt.HardwareSim.Enphase;

/// <summary>The battery modes of <c>storage_settings.mode</c> in <c>/admin/lib/tariff</c>.</summary>
internal enum StorageMode
{
    SelfConsumption,
    Backup,
    Economy,
    /// <summary>Legacy name of economy on older firmware.</summary>
    SavingsMode,
}

/// <summary>What the simulated batteries obey, taken from the tariff document's <c>storage_settings</c>.</summary>
internal sealed record StorageSettings(StorageMode Mode, double ReservedSocPercent, bool ChargeFromGrid)
{
    public static StorageSettings Default { get; } = new(StorageMode.SelfConsumption, 20, false);

    public static string ModeText(StorageMode mode) => mode switch
    {
        StorageMode.SelfConsumption => "self-consumption",
        StorageMode.Backup => "backup",
        StorageMode.Economy => "economy",
        _ => "savings-mode",
    };

    public static bool TryParseMode(string? text, out StorageMode mode)
    {
        (var known, mode) = text switch
        {
            "self-consumption" => (true, StorageMode.SelfConsumption),
            "backup" => (true, StorageMode.Backup),
            "economy" => (true, StorageMode.Economy),
            "savings-mode" => (true, StorageMode.SavingsMode),
            _ => (false, StorageMode.SelfConsumption),
        };
        return known;
    }
}
