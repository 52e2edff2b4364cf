using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Protocols.Modbus;

namespace Nexwatt.Protocols.SunSpec;

/// <summary>
/// Finds a device's SunSpec models (SunSpec Information Model Specification, "Device discovery"): the <c>SunS</c> marker
/// (0x5375 0x6E53) at a base address, then the chain of (ID, L) headers up to the end model ID 0xFFFF.
/// </summary>
/// <remarks>
/// An exception answer that is not transient (illegal address, function or value) at a base address means "not here";
/// the next base is tried. Communication failures and timeouts propagate: the device is unreachable, not "not SunSpec".
/// </remarks>
public sealed class SunSpecDiscovery
{
    private static readonly ushort[] MarkerValue = [0x5375, 0x6E53];
    private readonly IModbusClient _client;
    private readonly SunSpecDiscoveryOptions _options;
    private readonly SunSpecModelCatalog _catalog;
    private readonly ILogger _logger;

    /// <summary>Creates a discovery over <paramref name="client"/>.</summary>
    public SunSpecDiscovery(IModbusClient client, SunSpecDiscoveryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new SunSpecDiscoveryOptions();
        if (_options.MaxModels < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxModels must be at least 1.");
        _catalog = _options.Catalog ?? SunSpecModelCatalog.LoadBuiltIn();
        _logger = _options.Logger ?? NullLogger.Instance;
    }

    /// <summary>Looks for the SunSpec marker and walks the model chain; null when the unit is not a SunSpec device.</summary>
    /// <exception cref="ModbusCommunicationException">The device could not be reached.</exception>
    /// <exception cref="TimeoutException">The device did not answer.</exception>
    public async Task<SunSpecDeviceMap?> DiscoverAsync(byte unitId, CancellationToken cancellationToken = default)
    {
        var requests = 0;
        foreach (var baseAddress in _options.ExtraBaseAddresses.Concat(SunSpecDiscoveryOptions.StandardBaseAddresses).Distinct())
        {
            if (baseAddress > ushort.MaxValue - 1) continue;
            ushort[] marker;
            try
            {
                requests++;
                marker = await _client.ReadHoldingRegistersAsync(unitId, baseAddress, 2, cancellationToken).ConfigureAwait(false);
            }
            catch (ModbusRemoteException ex) when (!ex.IsTransient)
            {
                Log.BaseRejected(_logger, unitId, baseAddress, ex.Code.ToString());
                continue;
            }
            if (marker.Length < 2 || marker[0] != MarkerValue[0] || marker[1] != MarkerValue[1])
            {
                Log.NoMarker(_logger, unitId, baseAddress);
                continue;
            }
            Log.MarkerFound(_logger, unitId, baseAddress);
            var (models, chainRequests) = await WalkAsync(unitId, baseAddress, cancellationToken).ConfigureAwait(false);
            return new SunSpecDeviceMap(unitId, baseAddress, models, requests + chainRequests);
        }
        Log.NotSunSpec(_logger, unitId);
        return null;
    }

    private async Task<(List<SunSpecModelLocation> Models, int Requests)> WalkAsync(byte unitId, ushort baseAddress, CancellationToken cancellationToken)
    {
        var models = new List<SunSpecModelLocation>();
        var requests = 0;
        var address = baseAddress + 2;
        while (true)
        {
            if (address > ushort.MaxValue - 1)
            {
                Log.ChainEnded(_logger, unitId, ushort.MaxValue, "end of the address space");
                break;
            }
            if (models.Count >= _options.MaxModels)
            {
                Log.TooManyModels(_logger, unitId, _options.MaxModels, (ushort)address);
                break;
            }
            ushort[] header;
            try
            {
                requests++;
                header = await _client.ReadHoldingRegistersAsync(unitId, (ushort)address, 2, cancellationToken).ConfigureAwait(false);
            }
            catch (ModbusRemoteException ex) when (!ex.IsTransient)
            {
                // A device without an explicit end model answers "illegal address" past its last model.
                Log.ChainEnded(_logger, unitId, (ushort)address, ex.Code.ToString());
                break;
            }
            if (header.Length < 2)
            {
                Log.ChainEnded(_logger, unitId, (ushort)address, "short answer");
                break;
            }
            var (id, length) = (header[0], header[1]);
            if (id == 0xFFFF || id == 0)
            {
                Log.ChainEnded(_logger, unitId, (ushort)address, id == 0 ? "model id 0" : "end model");
                break;
            }
            _catalog.TryGet(id, out var definition);
            Log.ModelFound(_logger, unitId, id, (ushort)address, length, definition is null ? " (unknown model, skipped)" : "");
            models.Add(new SunSpecModelLocation(id, (ushort)address, length, definition));
            address += 2 + length;
        }
        return (models, requests);
    }
}
