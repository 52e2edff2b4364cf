namespace Nexwatt.Protocols.Modbus.Pdu;

/// <summary>Argument checks shared by the encoders and the client, with messages that name the limit.</summary>
internal static class ModbusArguments
{
    /// <summary>A read of any length is allowed (the client splits it) as long as it stays inside the 16-bit address space.</summary>
    public static void CheckReadRange(ushort address, int count, string paramName)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(paramName, count, "A read needs at least one item.");
        if (address + count > 65536)
            throw new ArgumentOutOfRangeException(paramName, count, $"Reading {count} items from address {address} runs past address 65535.");
    }

    /// <summary>Checks a single request's quantity against its PDU limit.</summary>
    public static void CheckQuantity(ushort address, int count, int max, string what, string paramName)
    {
        if (count < 1 || count > max)
            throw new ArgumentException($"{what} carries 1 to {max} items per request (Modbus PDU limit); got {count}.", paramName);
        if (address + count > 65536)
            throw new ArgumentException($"{what} of {count} items from address {address} runs past address 65535.", paramName);
    }

    /// <summary>Writes are never split (a split write is not atomic): over the limit is the caller's error.</summary>
    public static void CheckWrite(ushort address, int count, int max, string what, string paramName)
    {
        if (count < 1) throw new ArgumentException($"{what} needs at least one value.", paramName);
        if (count > max)
            throw new ArgumentException(
                $"{what} carries at most {max} values per request (Modbus PDU limit); got {count}. Writes are not split because a split write is not atomic.",
                paramName);
        if (address + count > 65536)
            throw new ArgumentException($"{what} of {count} values from address {address} runs past address 65535.", paramName);
    }
}
