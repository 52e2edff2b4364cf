namespace Nexwatt.HardwareSim.Devices;

/// <summary>The SunSpec model ids the simulator serves.</summary>
internal static class SunSpecIds
{
    public const ushort Common = 1;
    public const ushort InverterSinglePhase = 101;
    public const ushort InverterThreePhase = 103;
    public const ushort Nameplate = 120;
    public const ushort Settings = 121;
    public const ushort Status = 122;
    public const ushort Controls = 123;
    public const ushort Storage = 124;
    public const ushort Mppt = 160;
    public const ushort StorageCapacity = 713;
    public const ushort Battery = 802;

    /// <summary>Model 103 St / 160 DCSt (SunSpec operating state enumeration).</summary>
    public static class OperatingState
    {
        public const int Off = 1;
        public const int Sleeping = 2;
        public const int Mppt = 4;
        public const int Throttled = 5;
        public const int Standby = 8;
    }
}
