using System.Net;
using System.Net.Sockets;

namespace Nexwatt.EdgeAgent.Discovery.Mdns;

/// <summary>One DNS-SD service instance: where it is and its TXT keys.</summary>
internal sealed record MdnsServiceInstance(string Instance, string? HostName, IPAddress Address, int Port, IReadOnlyDictionary<string, string> Text);

/// <summary>
/// A one-shot DNS-SD browse over mDNS (RFC 6762, RFC 6763): a PTR query for the service sent from an ephemeral port,
/// which makes it a "legacy unicast" query (RFC 6762 §6.7): responders answer straight to our port with the query id,
/// so we need not bind 5353 (often held by avahi) or join the group. Answers are collected for a listening window;
/// malformed datagrams are counted and ignored.
/// </summary>
internal sealed class MdnsBrowser(TimeProvider time)
{
    public static readonly IPEndPoint MulticastGroup = new(IPAddress.Parse("224.0.0.251"), 5353);

    /// <summary>Datagrams received that were not valid DNS (for the caller's log).</summary>
    public int MalformedDatagrams { get; private set; }

    public async Task<IReadOnlyList<MdnsServiceInstance>> BrowseAsync(string service, IPEndPoint target, TimeSpan listen, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.IsLoopback(target.Address) ? IPAddress.Loopback : IPAddress.Any, 0));
        if (target.Address.Equals(MulticastGroup.Address))
        {
            // RFC 6762 §11: mDNS packets go out with IP TTL 255 and stay on the link.
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
        }
        var id = (ushort)Random.Shared.Next(1, ushort.MaxValue);
        var query = DnsMessageCodec.WriteQuery(id, new DnsQuestion(service, DnsRecordType.Ptr, UnicastResponse: true));
        await socket.SendToAsync(query, SocketFlags.None, target, cancellationToken).ConfigureAwait(false);

        var messages = new List<(DnsMessage Message, IPAddress Source)>();
        using var window = new CancellationTokenSource(listen, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(window.Token, cancellationToken);
        var buffer = new byte[9000];
        while (true)
        {
            SocketReceiveFromResult received;
            try { received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), linked.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { break; }
            catch (SocketException) { continue; }
            try
            {
                var message = DnsMessageCodec.Read(buffer.AsSpan(0, received.ReceivedBytes));
                if (message.IsResponse) messages.Add((message, ((IPEndPoint)received.RemoteEndPoint).Address));
            }
            catch (DnsFormatException) { MalformedDatagrams++; }
        }
        return Resolve(service, messages);
    }

    /// <summary>PTR → instance, SRV → host and port, TXT → keys, A → address (else the responder's source address).</summary>
    internal static IReadOnlyList<MdnsServiceInstance> Resolve(string service, IEnumerable<(DnsMessage Message, IPAddress Source)> messages)
    {
        var found = new Dictionary<string, MdnsServiceInstance>(StringComparer.OrdinalIgnoreCase);
        foreach (var (message, source) in messages)
        {
            var records = message.AllRecords.ToList();
            foreach (var ptr in records.Where(r => r.Type == DnsRecordType.Ptr && r.Target is not null && string.Equals(r.Name, service, StringComparison.OrdinalIgnoreCase)))
            {
                var instance = ptr.Target!;
                var srv = records.FirstOrDefault(r => r.Type == DnsRecordType.Srv && string.Equals(r.Name, instance, StringComparison.OrdinalIgnoreCase))?.Service;
                var txt = records.FirstOrDefault(r => r.Type == DnsRecordType.Txt && string.Equals(r.Name, instance, StringComparison.OrdinalIgnoreCase))?.Text ?? [];
                var address = srv is null ? null : records.FirstOrDefault(r => r.Type == DnsRecordType.A && r.Address is not null && string.Equals(r.Name, srv.Target, StringComparison.OrdinalIgnoreCase))?.Address;
                var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var entry in txt)
                {
                    var eq = entry.IndexOf('=');
                    keys[eq < 0 ? entry : entry[..eq]] = eq < 0 ? "" : entry[(eq + 1)..];
                }
                found[instance] = new MdnsServiceInstance(instance, srv?.Target, address ?? source, srv?.Port ?? 80, keys);
            }
        }
        return [.. found.Values];
    }
}
