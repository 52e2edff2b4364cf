using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Nexwatt.Protocols.Modbus.Client;

/// <summary>
/// Hands out one <see cref="ModbusLink"/> per endpoint (host:port, host compared case-insensitively), so that every
/// device behind one gateway shares one connection. The pool owns the links and disposes them.
/// </summary>
public sealed class ModbusLinkPool : IAsyncDisposable
{
    private readonly Dictionary<string, ModbusLink> _links = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private bool _disposed;

    public ModbusLinkPool(ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// The link for <paramref name="options"/>' endpoint, created with these options on first use. Later calls for the
    /// same endpoint return the same link, whatever options they pass.
    /// </summary>
    public ModbusLink GetLink(ModbusTcpLinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        lock (_links)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_links.TryGetValue(options.EndpointName, out var link) && !link.IsDisposed) return link;
            link = new ModbusLink(options, _logger, _time);
            _links[options.EndpointName] = link;
            return link;
        }
    }

    /// <summary>The link for host:port with default options.</summary>
    public ModbusLink GetLink(string host, int port = 502) => GetLink(new ModbusTcpLinkOptions { Host = host, Port = port });

    /// <summary>The links handed out so far.</summary>
    public IReadOnlyList<ModbusLink> Links
    {
        get { lock (_links) return _links.Values.ToArray(); }
    }

    public async ValueTask DisposeAsync()
    {
        ModbusLink[] links;
        lock (_links)
        {
            if (_disposed) return;
            _disposed = true;
            links = _links.Values.ToArray();
            _links.Clear();
        }
        foreach (var link in links) await link.DisposeAsync().ConfigureAwait(false);
    }
}
