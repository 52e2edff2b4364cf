using System.Runtime.InteropServices;

namespace Nexwatt.Protocols.Modbus.Rtu.Serial;

/// <summary>
/// The kernel's RS-485 mode of a UART (Linux Documentation/driver-api/serial/serial-rs485.rst): the driver toggles
/// RTS around each transmission, so the transceiver's driver-enable follows the bytes. System.IO.Ports has no way to
/// set it, hence this one ioctl. The setting belongs to the port in the kernel, so it is set on its own descriptor
/// before System.IO.Ports opens the port. A tty that is not an RS-485 capable UART (a pty, most USB adapters, which
/// switch by themselves) answers ENOTTY: an <see cref="IOException"/> that says so.
/// </summary>
internal static partial class Rs485Mode
{
    // asm-generic/ioctls.h, the same on x86-64, arm and arm64.
    private const uint TIOCSRS485 = 0x542F;
    private const int O_RDWR = 0x2;
    private const int O_NOCTTY = 0x100;
    private const int O_NONBLOCK = 0x800;
    private const int O_CLOEXEC = 0x80000;

    // include/uapi/linux/serial.h
    private const uint SER_RS485_ENABLED = 1 << 0;
    private const uint SER_RS485_RTS_ON_SEND = 1 << 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct SerialRs485
    {
        public uint Flags;
        public uint DelayRtsBeforeSend;
        public uint DelayRtsAfterSend;
        public uint Padding0, Padding1, Padding2, Padding3, Padding4;
    }

    /// <summary>Turns RS-485 mode on for <paramref name="path"/>; throws <see cref="IOException"/> naming the port and the errno.</summary>
    public static void Enable(string path, TimeSpan delayBeforeSend, TimeSpan delayAfterSend)
    {
        var fd = Open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) throw Error(path, "open", Marshal.GetLastPInvokeError());
        try
        {
            var settings = new SerialRs485
            {
                Flags = SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND,
                DelayRtsBeforeSend = (uint)delayBeforeSend.TotalMilliseconds,
                DelayRtsAfterSend = (uint)delayAfterSend.TotalMilliseconds,
            };
            if (Ioctl(fd, TIOCSRS485, ref settings) != 0) throw Error(path, "ioctl(TIOCSRS485)", Marshal.GetLastPInvokeError());
        }
        finally
        {
            Close(fd);
        }
    }

    private static IOException Error(string path, string call, int errno) => errno == 25
        ? new IOException($"{path} does not support the kernel's RS-485 mode ({call}: ENOTTY, not an RS-485 capable UART); leave Rs485 off for this adapter.")
        : new IOException($"Setting the RS-485 mode of {path} failed: {call} errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}).");

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, uint request, ref SerialRs485 settings);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
