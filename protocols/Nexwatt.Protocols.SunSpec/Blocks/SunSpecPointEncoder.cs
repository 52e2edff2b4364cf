using Nexwatt.Protocols.SunSpec.Internal;

namespace Nexwatt.Protocols.SunSpec;

/// <summary>Encodes values a master writes to a device's points (the registers to send with function 0x10).</summary>
public static class SunSpecPointEncoder
{
    /// <summary>
    /// Encodes <paramref name="value"/> (engineering units) for <paramref name="point"/>: raw = round(value / 10^sf), half
    /// away from zero, checked against the type's range (the not-implemented sentinel excluded).
    /// </summary>
    /// <param name="point">The point to write.</param>
    /// <param name="value">The value in engineering units.</param>
    /// <param name="scaleFactor">The current value of the point's scale-factor point as read from the device; required when the point is scaled by a point.</param>
    /// <param name="wordOrder">Register order of 32/64-bit and float types.</param>
    /// <exception cref="SunSpecEncodingException">Read-only point, missing or unimplemented scale factor, value out of range, or a string point.</exception>
    public static ushort[] EncodeForWrite(SunSpecPointDefinition point, double value, short? scaleFactor, SunSpecWordOrder wordOrder = SunSpecWordOrder.HighWordFirst)
    {
        CheckWritable(point);
        var sf = 0;
        if (point.FixedScaleFactor is { } fixedSf) sf = fixedSf;
        else if (point.ScaleFactor is { } sfName)
        {
            if (scaleFactor is null)
                throw new SunSpecEncodingException($"point {point.Name} is scaled by {sfName}; its value is needed to encode the point");
            if (scaleFactor == PointCodec.ScaleFactorNotImplemented)
                throw new SunSpecEncodingException($"scale factor {sfName} of point {point.Name} is not implemented");
            sf = scaleFactor.Value;
        }
        var registers = new ushort[point.Size];
        PointCodec.EncodeScaled(point, point.Name, value, sf, registers, wordOrder);
        return registers;
    }

    /// <summary>Encodes a string point (UTF-8, NUL padded to the point size).</summary>
    /// <exception cref="SunSpecEncodingException">Read-only point, not a string, or the text is too long.</exception>
    public static ushort[] EncodeStringForWrite(SunSpecPointDefinition point, string value)
    {
        CheckWritable(point);
        var registers = new ushort[point.Size];
        PointCodec.EncodeString(point, point.Name, value, registers);
        return registers;
    }

    private static void CheckWritable(SunSpecPointDefinition point)
    {
        ArgumentNullException.ThrowIfNull(point);
        if (point.Access != SunSpecAccess.ReadWrite)
            throw new SunSpecEncodingException($"point {point.Name} is read-only");
    }
}
