using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Nexwatt.EdgeAgent.Discovery.Mdns;

/// <summary>
/// Pure DNS wire codec for mDNS/DNS-SD queries and responses: no I/O, no clock.
/// <code>
/// RFC 1035 §4.1.1 header (12 bytes):  ID | QR OPCODE AA TC RD RA Z RCODE | QDCOUNT | ANCOUNT | NSCOUNT | ARCOUNT
/// §4.1.2 question:   QNAME | QTYPE (16) | QCLASS (16; mDNS: top bit = QU, unicast response wanted)
/// §4.1.3 record:     NAME | TYPE | CLASS (mDNS: top bit = cache flush) | TTL (32) | RDLENGTH | RDATA
/// §4.1.4 names:      length-prefixed labels ending in 0, or a 2-byte pointer 11xxxxxx xxxxxxxx to an earlier name
/// </code>
/// Every declared length is checked against the bytes present before it is used; a pointer must point backwards, so
/// a loop cannot be built; counts are bounded by what the message could hold.
/// </summary>
internal static class DnsMessageCodec
{
    public const int HeaderLength = 12;
    public const int MaxNameLength = 255;
    public const int MaxLabelLength = 63;
    private const ushort ClassInternet = 1;
    private const ushort TopBit = 0x8000;

    /// <summary>A standard query (flags 0) for one question; mDNS queries carry ID 0 unless they are legacy unicast.</summary>
    public static byte[] WriteQuery(ushort id, DnsQuestion question)
    {
        var name = EncodeName(question.Name);
        var bytes = new byte[HeaderLength + name.Length + 4];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, id);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(4), 1);
        name.CopyTo(bytes, HeaderLength);
        var tail = bytes.AsSpan(HeaderLength + name.Length);
        BinaryPrimitives.WriteUInt16BigEndian(tail, (ushort)question.Type);
        BinaryPrimitives.WriteUInt16BigEndian(tail[2..], (ushort)(ClassInternet | (question.UnicastResponse ? TopBit : 0)));
        return bytes;
    }

    /// <summary>Name in wire form without compression: <c>_enphase-envoy._tcp.local</c> → 0E "_enphase-envoy" 04 "_tcp" 05 "local" 00.</summary>
    public static byte[] EncodeName(string name)
    {
        var labels = name.TrimEnd('.').Split('.');
        var output = new List<byte>(name.Length + 2);
        foreach (var label in labels)
        {
            var bytes = Encoding.UTF8.GetBytes(label);
            if (bytes.Length is 0 or > MaxLabelLength) throw new ArgumentException($"DNS label '{label}' must be 1..{MaxLabelLength} bytes.", nameof(name));
            output.Add((byte)bytes.Length);
            output.AddRange(bytes);
        }
        output.Add(0);
        if (output.Count > MaxNameLength) throw new ArgumentException($"DNS name '{name}' is longer than {MaxNameLength} bytes.", nameof(name));
        return [.. output];
    }

    public static DnsMessage Read(ReadOnlySpan<byte> message)
    {
        if (message.Length < HeaderLength) throw new DnsFormatException($"a DNS message has a 12-byte header; got {message.Length} bytes");
        var id = BinaryPrimitives.ReadUInt16BigEndian(message);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        var counts = new int[4];
        for (var i = 0; i < 4; i++) counts[i] = BinaryPrimitives.ReadUInt16BigEndian(message[(4 + 2 * i)..]);
        // A question takes at least 5 bytes and a record at least 11: refuse counts the message cannot hold before allocating.
        if (counts[0] * 5 + (counts[1] + counts[2] + counts[3]) * 11 > message.Length - HeaderLength)
            throw new DnsFormatException($"counts {counts[0]}/{counts[1]}/{counts[2]}/{counts[3]} do not fit in {message.Length} bytes");
        var offset = HeaderLength;
        var questions = new List<DnsQuestion>(counts[0]);
        for (var i = 0; i < counts[0]; i++)
        {
            var name = ReadName(message, ref offset);
            Need(message, offset, 4, "question");
            var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            var qclass = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
            offset += 4;
            questions.Add(new DnsQuestion(name, type, (qclass & TopBit) != 0));
        }
        var sections = new List<DnsRecord>[3];
        for (var s = 0; s < 3; s++)
        {
            sections[s] = new List<DnsRecord>(counts[s + 1]);
            for (var i = 0; i < counts[s + 1]; i++) sections[s].Add(ReadRecord(message, ref offset));
        }
        return new DnsMessage(id, flags, questions, sections[0], sections[1], sections[2]);
    }

    private static DnsRecord ReadRecord(ReadOnlySpan<byte> message, ref int offset)
    {
        var name = ReadName(message, ref offset);
        Need(message, offset, 10, "record header");
        var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
        var rclass = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(offset + 4)..]);
        var length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
        offset += 10;
        Need(message, offset, length, $"{type} rdata");
        var start = offset;
        var end = offset + length;
        offset = end;
        var record = new DnsRecord(name, type, (ushort)(rclass & ~TopBit), (rclass & TopBit) != 0, ttl);
        switch (type)
        {
            case DnsRecordType.Ptr:
                var p = start;
                record = record with { Target = ReadName(message, ref p) };
                if (p > end) throw new DnsFormatException("PTR name runs past its rdata");
                return record;
            case DnsRecordType.Srv:
                if (length < 7) throw new DnsFormatException($"SRV rdata of {length} bytes; at least 7 expected");
                var t = start + 6;
                var target = ReadName(message, ref t);
                if (t > end) throw new DnsFormatException("SRV target runs past its rdata");
                return record with
                {
                    Service = new DnsService(BinaryPrimitives.ReadUInt16BigEndian(message[start..]), BinaryPrimitives.ReadUInt16BigEndian(message[(start + 2)..]),
                        BinaryPrimitives.ReadUInt16BigEndian(message[(start + 4)..]), target),
                };
            case DnsRecordType.Txt:
                var strings = new List<string>();
                for (var i = start; i < end;)
                {
                    var n = message[i++];
                    if (i + n > end) throw new DnsFormatException("TXT string runs past its rdata");
                    if (n > 0) strings.Add(Encoding.UTF8.GetString(message.Slice(i, n)));
                    i += n;
                }
                return record with { Text = strings };
            case DnsRecordType.A when length == 4:
            case DnsRecordType.Aaaa when length == 16:
                return record with { Address = new IPAddress(message.Slice(start, length)) };
            case DnsRecordType.A or DnsRecordType.Aaaa:
                throw new DnsFormatException($"{type} rdata of {length} bytes");
            default:
                return record;
        }
    }

    /// <summary>Reads a possibly compressed name at <paramref name="offset"/> and moves past it (past the first pointer, if any).</summary>
    internal static string ReadName(ReadOnlySpan<byte> message, ref int offset)
    {
        var name = new StringBuilder();
        var position = offset;
        var wireLength = 1;
        var limit = offset;
        int? resumeAt = null;
        while (true)
        {
            Need(message, position, 1, "name");
            var length = message[position];
            if ((length & 0xC0) == 0xC0)
            {
                Need(message, position, 2, "name pointer");
                var target = ((length & 0x3F) << 8) | message[position + 1];
                // A pointer names "a prior occurrence" (RFC 1035 §4.1.4): before the pointer and before every earlier
                // jump of this name. Each jump then lands strictly lower, so a loop cannot be built.
                if (target >= limit) throw new DnsFormatException($"name pointer at {position} to {target} does not point backwards");
                resumeAt ??= position + 2;
                limit = target;
                position = target;
                continue;
            }
            if ((length & 0xC0) != 0) throw new DnsFormatException($"label type 0x{length & 0xC0:X2} at {position} is not supported");
            position++;
            if (length == 0) break;
            wireLength += length + 1;
            if (wireLength > MaxNameLength) throw new DnsFormatException($"name longer than {MaxNameLength} bytes");
            Need(message, position, length, "label");
            if (name.Length > 0) name.Append('.');
            name.Append(Encoding.UTF8.GetString(message.Slice(position, length)));
            position += length;
        }
        offset = resumeAt ?? position;
        return name.ToString();
    }

    private static void Need(ReadOnlySpan<byte> message, int offset, int count, string what)
    {
        if (offset + count > message.Length) throw new DnsFormatException($"truncated {what}: needs {count} byte(s) at offset {offset}, message is {message.Length}");
    }
}
