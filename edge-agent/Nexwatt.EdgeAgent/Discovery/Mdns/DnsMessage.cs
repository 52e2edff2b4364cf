using System.Net;

namespace Nexwatt.EdgeAgent.Discovery.Mdns;

/// <summary>Resource record types used for DNS-SD discovery (RFC 1035 §3.2.2, RFC 2782, RFC 3596, RFC 6763).</summary>
internal enum DnsRecordType : ushort
{
    A = 1,
    Ptr = 12,
    Txt = 16,
    Aaaa = 28,
    Srv = 33,
    Any = 255,
}

/// <summary>One question; <paramref name="UnicastResponse"/> is mDNS's QU bit (top bit of QCLASS, RFC 6762 §5.4).</summary>
internal sealed record DnsQuestion(string Name, DnsRecordType Type, bool UnicastResponse = false);

/// <summary>SRV rdata (RFC 2782).</summary>
internal sealed record DnsService(ushort Priority, ushort Weight, ushort Port, string Target);

/// <summary>
/// One resource record. Decoded rdata for the types discovery needs: <see cref="Target"/> (PTR), <see cref="Service"/>
/// (SRV), <see cref="Text"/> (TXT strings), <see cref="Address"/> (A, AAAA); other types keep only their type.
/// <see cref="CacheFlush"/> is mDNS's top bit of the class (RFC 6762 §10.2).
/// </summary>
internal sealed record DnsRecord(string Name, DnsRecordType Type, ushort Class, bool CacheFlush, uint TimeToLiveSeconds)
{
    public string? Target { get; init; }
    public DnsService? Service { get; init; }
    public IReadOnlyList<string> Text { get; init; } = [];
    public IPAddress? Address { get; init; }
}

/// <summary>A DNS message (RFC 1035 §4.1). <see cref="IsResponse"/> is the QR bit.</summary>
internal sealed record DnsMessage(ushort Id, ushort Flags, IReadOnlyList<DnsQuestion> Questions, IReadOnlyList<DnsRecord> Answers, IReadOnlyList<DnsRecord> Authorities, IReadOnlyList<DnsRecord> Additionals)
{
    public bool IsResponse => (Flags & 0x8000) != 0;

    /// <summary>Answers and additional records together: mDNS responders put SRV, TXT and A records in either.</summary>
    public IEnumerable<DnsRecord> AllRecords => Answers.Concat(Authorities).Concat(Additionals);
}

/// <summary>A message that breaks the DNS wire format: truncated, a label or name too long, a compression loop.</summary>
internal sealed class DnsFormatException(string message) : Exception(message);
