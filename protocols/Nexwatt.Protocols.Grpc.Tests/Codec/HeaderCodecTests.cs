using System.Net;
using Nexwatt.Protocols.Grpc.Internal;

namespace Nexwatt.Protocols.Grpc.Tests.Codec;

/// <summary>grpc-timeout, grpc-message, grpc-status and the HTTP status mapping, with the spec's examples.</summary>
public sealed class HeaderCodecTests
{
    public static TheoryData<string, long> TimeoutVectors => new()
    {
        // PROTOCOL-HTTP2.md sample request: "grpc-timeout = 1S"
        { "1S", TimeSpan.TicksPerSecond },
        { "100m", 100 * TimeSpan.TicksPerMillisecond },
        { "5S", 5 * TimeSpan.TicksPerSecond },
        { "1H", TimeSpan.TicksPerHour },
        { "90M", 90 * TimeSpan.TicksPerMinute },
        { "250u", 2_500 },
        { "300n", 3 },
        { "99999999S", 99_999_999 * TimeSpan.TicksPerSecond },
    };

    [Theory]
    [MemberData(nameof(TimeoutVectors))]
    public void Timeout_parses_and_formats_the_spec_units(string text, long ticks)
    {
        Assert.True(GrpcTimeoutCodec.TryParse(text, out var parsed));
        Assert.Equal(ticks, parsed.Ticks);
        Assert.Equal(text, GrpcTimeoutCodec.Format(TimeSpan.FromTicks(ticks)));
    }

    [Theory]
    [InlineData(1_500_000_0L, "1500m")] // 1.5 s: exact in milliseconds
    [InlineData(1L, "100n")]
    [InlineData(123_456_789_012L, "12345679m")] // 12345.6789012 s: no exact unit fits 8 digits; finest that fits, rounded up
    public void Timeout_format_uses_the_coarsest_exact_unit_or_rounds_up(long ticks, string expected)
        => Assert.Equal(expected, GrpcTimeoutCodec.Format(TimeSpan.FromTicks(ticks)));

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("1")]
    [InlineData("123456789S")] // 9 digits
    [InlineData("1s")]
    [InlineData("-1S")]
    [InlineData("1 S")]
    [InlineData("1.5S")]
    public void Timeout_refuses_what_the_grammar_does_not_allow(string text) => Assert.False(GrpcTimeoutCodec.TryParse(text, out _));

    [Fact]
    public void Timeout_of_zero_or_less_is_the_smallest_positive_value() => Assert.Equal("1n", GrpcTimeoutCodec.Format(TimeSpan.Zero));

    [Theory]
    [InlineData("", "")]
    [InlineData("plain ascii ok", "plain ascii ok")]
    [InlineData("100%", "100%25")]
    [InlineData("\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n",
        "%09%0Atest with whitespace%0D%0Aand Unicode BMP %E2%98%BA and non-BMP %F0%9F%98%88%09%0A")]
    [InlineData("über", "%C3%BCber")]
    public void Message_percent_encoding_follows_the_grammar(string message, string wire)
    {
        Assert.Equal(wire, PercentEncoding.Encode(message));
        Assert.Equal(message, PercentEncoding.Decode(wire));
    }

    [Theory]
    [InlineData("50%", "50%")] // broken sequence kept as is
    [InlineData("%zz", "%zz")]
    [InlineData("%e2%98%ba", "\u263A")] // lower-case hex accepted
    [InlineData("%FF", "\uFFFD")] // invalid UTF-8 replaced, never thrown
    public void Message_decoding_never_fails(string wire, string message) => Assert.Equal(message, PercentEncoding.Decode(wire));

    [Theory]
    [InlineData("0", GrpcStatusCode.OK)]
    [InlineData("16", GrpcStatusCode.Unauthenticated)]
    [InlineData("x", null)]
    [InlineData("", null)]
    public void Status_parses(string text, GrpcStatusCode? expected) => Assert.Equal(expected, GrpcProtocol.ParseStatus(text));

    [Theory]
    [InlineData(400, GrpcStatusCode.Internal)]
    [InlineData(401, GrpcStatusCode.Unauthenticated)]
    [InlineData(403, GrpcStatusCode.PermissionDenied)]
    [InlineData(404, GrpcStatusCode.Unimplemented)]
    [InlineData(501, GrpcStatusCode.Unimplemented)]
    [InlineData(429, GrpcStatusCode.Unavailable)]
    [InlineData(502, GrpcStatusCode.Unavailable)]
    [InlineData(503, GrpcStatusCode.Unavailable)]
    [InlineData(504, GrpcStatusCode.Unavailable)]
    [InlineData(500, GrpcStatusCode.Unknown)]
    [InlineData(415, GrpcStatusCode.Unknown)]
    public void Http_status_maps_per_the_status_mapping_doc(int http, GrpcStatusCode expected)
        => Assert.Equal(expected, HttpStatusMapping.ToGrpcStatus((HttpStatusCode)http));

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("application/grpcx", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void Content_type_check(string? value, bool expected) => Assert.Equal(expected, GrpcProtocol.IsGrpcContentType(value));

    [Fact]
    public void Status_codes_have_their_wire_values()
    {
        Assert.Equal(0, (int)GrpcStatusCode.OK);
        Assert.Equal(4, (int)GrpcStatusCode.DeadlineExceeded);
        Assert.Equal(12, (int)GrpcStatusCode.Unimplemented);
        Assert.Equal(16, (int)GrpcStatusCode.Unauthenticated);
    }

    [Theory]
    [InlineData(GrpcStatusCode.Unavailable, true)]
    [InlineData(GrpcStatusCode.DeadlineExceeded, true)]
    [InlineData(GrpcStatusCode.Aborted, true)]
    [InlineData(GrpcStatusCode.ResourceExhausted, false)]
    [InlineData(GrpcStatusCode.InvalidArgument, false)]
    [InlineData(GrpcStatusCode.Unauthenticated, false)]
    public void Transient_statuses(GrpcStatusCode code, bool transient) => Assert.Equal(transient, new GrpcException(code, "x").IsTransient);

    [Fact]
    public void Metadata_validates_keys_and_round_trips_binary_values()
    {
        var metadata = new GrpcMetadata { { "authorization", "Bearer abc" } };
        metadata.AddBinary("trace-bin", [1, 2, 3, 4]);
        Assert.Equal("Bearer abc", metadata.GetValue("authorization"));
        Assert.Equal("AQIDBA", metadata.GetValue("trace-bin")); // un-padded base64
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, metadata.GetBinary("trace-bin"));
        Assert.Throws<ArgumentException>(() => metadata.Add("grpc-status", "0"));
        Assert.Throws<ArgumentException>(() => metadata.Add("Upper", "x"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-bin", "x"));
        Assert.Throws<ArgumentException>(() => metadata.Add("k", "line\nbreak"));
        Assert.Throws<ArgumentException>(() => metadata.AddBinary("k", [1]));
    }

    [Fact]
    public void Methods_come_from_the_contract()
    {
        Assert.Equal("/nexwatt.v1.TelemetryIngest/Upload", Support.Contract.Upload.Path);
        Assert.Equal(GrpcMethodType.DuplexStreaming, Support.Contract.Upload.Type);
        Assert.Equal("/nexwatt.v1.SiteDispatch/StreamSetpoints", Support.Contract.StreamSetpoints.Path);
        Assert.Equal(GrpcMethodType.ServerStreaming, Support.Contract.StreamSetpoints.Type);
        Assert.Equal("/nexwatt.v1.SiteDispatch/Acknowledge", Support.Contract.Acknowledge.Path);
        Assert.Equal(GrpcMethodType.Unary, Support.Contract.Acknowledge.Type);
        Assert.Throws<ArgumentException>(() => ProtobufGrpc.Method<Nexwatt.Protos.V1.SetpointAck, Nexwatt.Protos.V1.UploadAck>(
            Nexwatt.Protos.V1.CollectorReflection.Descriptor, "nexwatt.v1.SiteDispatch", "Acknowledge"));
        Assert.Throws<ArgumentException>(() => ProtobufGrpc.Method<Nexwatt.Protos.V1.SetpointAck, Nexwatt.Protos.V1.SetpointAckReceipt>(
            Nexwatt.Protos.V1.CollectorReflection.Descriptor, "nexwatt.v1.SiteDispatch", "Nope"));
    }
}
