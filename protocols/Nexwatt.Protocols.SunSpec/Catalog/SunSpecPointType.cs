namespace Nexwatt.Protocols.SunSpec;

/// <summary>
/// The point types of the SunSpec Information Model Specification (section "Point types") and the
/// model JSON schema (<c>point.type</c>).
/// </summary>
public enum SunSpecPointType
{
    /// <summary>Signed 16-bit integer; not implemented = 0x8000.</summary>
    Int16,
    /// <summary>Unsigned 16-bit integer; not implemented = 0xFFFF.</summary>
    UInt16,
    /// <summary>16-bit accumulator; not implemented = 0.</summary>
    Acc16,
    /// <summary>Signed 32-bit integer; not implemented = 0x80000000.</summary>
    Int32,
    /// <summary>Unsigned 32-bit integer; not implemented = 0xFFFFFFFF.</summary>
    UInt32,
    /// <summary>32-bit accumulator; not implemented = 0.</summary>
    Acc32,
    /// <summary>Signed 64-bit integer; not implemented = 0x8000000000000000.</summary>
    Int64,
    /// <summary>Unsigned 64-bit integer; not implemented = 0xFFFFFFFFFFFFFFFF.</summary>
    UInt64,
    /// <summary>64-bit accumulator; not implemented = 0.</summary>
    Acc64,
    /// <summary>IEEE 754 single; not implemented = NaN (0x7FC00000).</summary>
    Float32,
    /// <summary>IEEE 754 double; not implemented = NaN.</summary>
    Float64,
    /// <summary>NUL-padded text, two characters per register; not implemented = all zero.</summary>
    String,
    /// <summary>16-bit enumeration; not implemented = 0xFFFF.</summary>
    Enum16,
    /// <summary>32-bit enumeration; not implemented = 0xFFFFFFFF.</summary>
    Enum32,
    /// <summary>16-bit bit field; not implemented = 0xFFFF.</summary>
    Bitfield16,
    /// <summary>32-bit bit field; not implemented = 0xFFFFFFFF.</summary>
    Bitfield32,
    /// <summary>Scale factor (signed 16-bit power of ten); not implemented = 0x8000.</summary>
    Sunssf,
    /// <summary>Alignment register without a value.</summary>
    Pad,
    /// <summary>Number of instances of a repeating group (unsigned 16-bit).</summary>
    Count,
    /// <summary>IPv4 address (32 bits); not implemented = 0.</summary>
    IpAddr,
    /// <summary>IPv6 address (128 bits); not implemented = all zero.</summary>
    Ipv6Addr,
    /// <summary>EUI-48 MAC address in the low 48 bits of a 64-bit register group; not implemented = all ones.</summary>
    Eui48,
    /// <summary>Uninterpreted 16-bit register (schema type <c>raw16</c>); has no sentinel.</summary>
    Raw16,
    /// <summary>64-bit bit field (schema type <c>bitfield64</c>); not implemented = all ones.</summary>
    Bitfield64,
}
