using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Nexwatt.EdgeAgent.Discovery.Mdns;

namespace Nexwatt.EdgeAgent.Tests.Discovery;

/// <summary>The DNS codec against byte vectors written from RFC 1035 §4.1 and RFC 6762 (QU and cache-flush bits).</summary>
public sealed class DnsMessageCodecTests
{
    // Header: id 0x1234, flags 0, QDCOUNT 1; question _enphase-envoy._tcp.local, QTYPE 12 (PTR), QCLASS 0x8001 (IN + QU).
    private const string EnphasePtrQuery = "1234" + "0000" + "0001" + "0000" + "0000" + "0000"
        + "0E5F656E70686173652D656E766F79" + "045F746370" + "056C6F63616C" + "00" + "000C" + "8001";

    // A response: id 0, flags 0x8400 (QR, AA), 1 answer, 3 additionals.
    //  @12 answer PTR  name _enphase-envoy._tcp.local, class IN, TTL 4500, rdata "envoy1" + pointer to @12
    //  @58 SRV  name -> pointer to the instance (@49), class 0x8001 (cache flush), TTL 120, 0 0 port 80, target "envoy" + pointer to "local" (@32)
    //  TXT  name -> @49, "serialnum=1", "protovers=7.6.175"
    //  A    name -> the SRV target (@76), 192.168.1.9
    private const string EnphaseResponse = "0000" + "8400" + "0000" + "0001" + "0000" + "0003"
        + "0E5F656E70686173652D656E766F79" + "045F746370" + "056C6F63616C" + "00" + "000C" + "0001" + "00001194" + "0009" + "06656E766F7931" + "C00C"
        + "C031" + "0021" + "8001" + "00000078" + "000E" + "0000" + "0000" + "0050" + "05656E766F79" + "C020"
        + "C031" + "0010" + "8001" + "00001194" + "001E" + "0B73657269616C6E756D3D31" + "1170726F746F766572733D372E362E313735"
        + "C04C" + "0001" + "8001" + "00000078" + "0004" + "C0A80109";

    [Fact]
    public void Ptr_query_with_the_QU_bit_has_the_spec_bytes()
    {
        var bytes = DnsMessageCodec.WriteQuery(0x1234, new DnsQuestion("_enphase-envoy._tcp.local", DnsRecordType.Ptr, UnicastResponse: true));
        Assert.Equal(EnphasePtrQuery, Convert.ToHexString(bytes));
        var back = DnsMessageCodec.Read(bytes);
        Assert.False(back.IsResponse);
        Assert.Equal(new DnsQuestion("_enphase-envoy._tcp.local", DnsRecordType.Ptr, true), Assert.Single(back.Questions));
    }

    [Fact]
    public void Response_with_compressed_names_decodes_every_record()
    {
        var message = DnsMessageCodec.Read(Convert.FromHexString(EnphaseResponse));
        Assert.True(message.IsResponse);
        var ptr = Assert.Single(message.Answers);
        Assert.Equal("_enphase-envoy._tcp.local", ptr.Name);
        Assert.Equal("envoy1._enphase-envoy._tcp.local", ptr.Target);
        Assert.Equal(4500u, ptr.TimeToLiveSeconds);
        Assert.False(ptr.CacheFlush);
        var srv = message.Additionals[0];
        Assert.Equal("envoy1._enphase-envoy._tcp.local", srv.Name);
        Assert.True(srv.CacheFlush);
        Assert.Equal((ushort)1, srv.Class);
        Assert.Equal(new DnsService(0, 0, 80, "envoy.local"), srv.Service);
        Assert.Equal(["serialnum=1", "protovers=7.6.175"], message.Additionals[1].Text);
        Assert.Equal("envoy.local", message.Additionals[2].Name);
        Assert.Equal(IPAddress.Parse("192.168.1.9"), message.Additionals[2].Address);

        var instance = Assert.Single(MdnsBrowser.Resolve("_enphase-envoy._tcp.local", [(message, IPAddress.Loopback)]));
        Assert.Equal(IPAddress.Parse("192.168.1.9"), instance.Address);
        Assert.Equal(80, instance.Port);
        Assert.Equal("1", instance.Text["serialnum"]);
        Assert.Equal("7.6.175", instance.Text["protovers"]);
    }

    [Theory]
    [InlineData("0000840000000001", "12-byte header")]
    [InlineData("000084000001000000000000" + "0561626364", "truncated label")]
    [InlineData("00008400000100000000000003616263C00C000C0001", "does not point backwards")]
    [InlineData("000084000001000000000000C00E000C0001", "does not point backwards")]
    [InlineData("000084000000FFFF00000000", "do not fit")]
    [InlineData("0000840000000001000000000000010001000000000005C0A8010901", "A rdata of 5 bytes")]
    [InlineData("000084000000000100000000" + "00" + "0010000100000000000305616263", "TXT string runs past")]
    [InlineData("000084000001000000000000" + "4061" + "000C0001", "label type")]
    public void Malformed_messages_are_refused_with_a_reason(string hex, string reason)
    {
        var ex = Assert.Throws<DnsFormatException>(() => DnsMessageCodec.Read(Convert.FromHexString(hex)));
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void A_name_longer_than_255_bytes_is_refused()
    {
        // 5 labels of 63 bytes chained = 320 bytes of name.
        var label = "3F" + new string('6', 126);
        var hex = "000084000001000000000000" + string.Concat(Enumerable.Repeat(label, 5)) + "00" + "000C0001";
        Assert.Contains("longer than 255", Assert.Throws<DnsFormatException>(() => DnsMessageCodec.Read(Convert.FromHexString(hex))).Message);
        Assert.Throws<ArgumentException>(() => DnsMessageCodec.EncodeName(new string('a', 64) + ".local"));
    }

    [Fact]
    public void Random_and_mutated_bytes_never_throw_anything_but_a_format_error()
    {
        var valid = Convert.FromHexString(EnphaseResponse);
        var cases = (
            from noise in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b))
            from position in Gen.Choose(0, valid.Length - 1)
            from value in Gen.Choose(0, 255)
            from cut in Gen.Choose(0, valid.Length)
            select (Noise: noise, Position: position, Value: (byte)value, Cut: cut)).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(cases, c =>
        {
            Decodes(c.Noise);
            var mutated = (byte[])valid.Clone();
            mutated[c.Position] = c.Value;
            Decodes(mutated);
            Decodes(valid.AsSpan(0, c.Cut).ToArray());
        }));
    }

    private static void Decodes(byte[] bytes)
    {
        try { DnsMessageCodec.Read(bytes); }
        catch (DnsFormatException) { }
    }
}
