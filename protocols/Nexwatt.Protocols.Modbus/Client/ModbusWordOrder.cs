namespace Nexwatt.Protocols.Modbus.Client;

/// <summary>How a device lays out a 32-bit (or wider) value over consecutive registers.</summary>
public enum ModbusWordOrder
{
    /// <summary>Most significant register first (big-endian words; the SunSpec default).</summary>
    HighWordFirst,
    /// <summary>Least significant register first ("word swapped").</summary>
    LowWordFirst,
}
