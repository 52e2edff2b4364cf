using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nexwatt.Protocols.Modbus.Rtu.Serial;

/// <summary>
/// The serial port's bytes, read and written on our own descriptor. System.IO.Ports sets the line (baud, parity,
/// data and stop bits, raw mode) and is then closed; the termios settings stay with the tty. Its own stream is not
/// used for I/O because on Linux it polls with a 1 ms timeout while a read is pending, which costs about a
/// millisecond of CPU and of latency per exchange. Here a read blocks in read(2) with VMIN=0/VTIME=1, so it wakes
/// as soon as a byte arrives and at least every 100 ms to notice a close; a read of 0 bytes is "nothing yet", not
/// the end.
/// </summary>
internal sealed partial class TtyStream : Stream
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private volatile bool _closed;

    private TtyStream(SafeFileHandle handle, string path)
    {
        _handle = handle;
        _path = path;
    }

    /// <summary>Opens <paramref name="path"/> (no controlling tty, exclusive) for reads that wake every 100 ms.</summary>
    public static TtyStream Open(string path)
    {
        var fd = Libc.Open(path, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC);
        if (fd < 0) throw new IOException($"open {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (Libc.Ioctl(fd, Libc.TIOCEXCL, IntPtr.Zero) != 0) throw Error(path, "ioctl(TIOCEXCL)");
            var termios = new byte[Libc.TermiosSize];
            if (Libc.TcGetAttr(fd, termios) != 0) throw Error(path, "tcgetattr");
            termios[Libc.CcOffset + Libc.VMIN] = 0;
            termios[Libc.CcOffset + Libc.VTIME] = 1;
            if (Libc.TcSetAttr(fd, Libc.TCSANOW, termios) != 0) throw Error(path, "tcsetattr");
            return new TtyStream(handle, path);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static IOException Error(string path, string call) => new($"{call} on {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    /// <summary>Drops what the kernel holds unread (tcflush TCIFLUSH).</summary>
    public void DiscardInput()
    {
        if (!_closed) _ = Libc.TcFlush((int)_handle.DangerousGetHandle(), Libc.TCIFLUSH);
    }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            if (_closed) return 0;
            var read = ReadOnce(buffer);
            if (read > 0) return read;
        }
    }

    /// <summary>One read(2): the bytes that came, 0 when VTIME passed without any; errno becomes an IOException.</summary>
    private unsafe int ReadOnce(Span<byte> buffer)
    {
        nint read;
        fixed (byte* pointer = buffer) read = Libc.Read((int)_handle.DangerousGetHandle(), pointer, buffer.Length);
        if (read >= 0) return (int)read;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == 4) return 0; // EINTR
        throw new IOException($"read {_path}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> in ppoll(2) (nanosecond timeout, so t3.5 of 1.75 ms is kept as such) and
    /// reads what came: the count, 0 when nothing came, -1 when the tty hung up or was closed.
    /// </summary>
    public unsafe int Receive(Span<byte> buffer, TimeSpan wait)
    {
        if (_closed) return -1;
        var ticks = Math.Max(0, wait.Ticks);
        var timeout = new Libc.Timespec { Seconds = (nint)(ticks / TimeSpan.TicksPerSecond), Nanoseconds = (nint)(ticks % TimeSpan.TicksPerSecond * 100) };
        var poll = new Libc.PollFd { Fd = (int)_handle.DangerousGetHandle(), Events = Libc.POLLIN };
        var ready = Libc.PPoll(&poll, 1, &timeout, IntPtr.Zero);
        if (ready < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == 4) return 0; // EINTR: the caller's deadline decides
            throw new IOException($"ppoll {_path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        if (ready == 0) return 0;
        if ((poll.Revents & Libc.POLLNVAL) != 0) return -1;
        if ((poll.Revents & Libc.POLLIN) != 0)
        {
            var read = ReadOnce(buffer);
            if (read > 0) return read;
        }
        return (poll.Revents & (Libc.POLLHUP | Libc.POLLERR)) != 0 ? -1 : 0;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => new(Task.Factory.StartNew(static state =>
        {
            var (stream, memory, token) = ((TtyStream, Memory<byte>, CancellationToken))state!;
            while (true)
            {
                token.ThrowIfCancellationRequested();
                if (stream._closed) return 0;
                var read = stream.ReadOnce(memory.Span);
                if (read > 0) return read;
            }
        }, (this, buffer, cancellationToken), cancellationToken, TaskCreationOptions.DenyChildAttach, TaskScheduler.Default));

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        while (!buffer.IsEmpty)
        {
            nint written;
            fixed (byte* pointer = buffer) written = Libc.Write((int)_handle.DangerousGetHandle(), pointer, buffer.Length);
            if (written < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == 4) continue; // EINTR
                throw new IOException($"write {_path}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
            buffer = buffer[(int)written..];
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A frame is at most 256 bytes: the kernel takes it at once into the tty's buffer.
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            // A read in progress wakes within VTIME (100 ms), sees the flag and returns; then the descriptor closes.
            _handle.Dispose();
        }
        base.Dispose(disposing);
    }

    public override string ToString() => _path;

    /// <summary>The libc calls System.IO.Ports does not expose (glibc layout, the same on x86-64, arm64 and arm).</summary>
    private static partial class Libc
    {
        public const int O_RDWR = 0x2;
        public const int O_NOCTTY = 0x100;
        public const int O_CLOEXEC = 0x80000;
        public const uint TIOCEXCL = 0x540C;
        public const int TCSANOW = 0;
        public const int TCIFLUSH = 0;
        // struct termios: four tcflag_t, c_line, c_cc[32], c_ispeed, c_ospeed (60 bytes; a little room to spare).
        public const int TermiosSize = 64;
        public const int CcOffset = 17;
        public const int VTIME = 5;
        public const int VMIN = 6;

        public const short POLLIN = 0x1;
        public const short POLLERR = 0x8;
        public const short POLLHUP = 0x10;
        public const short POLLNVAL = 0x20;

        [StructLayout(LayoutKind.Sequential)]
        public struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

        // time_t and long are the word size on the targets (LP64 arm64 and x86-64; 32-bit arm with 32-bit time_t).
        [StructLayout(LayoutKind.Sequential)]
        public struct Timespec
        {
            public nint Seconds;
            public nint Nanoseconds;
        }

        [LibraryImport("libc", EntryPoint = "ppoll", SetLastError = true)]
        public static unsafe partial int PPoll(PollFd* fds, nuint count, Timespec* timeout, IntPtr signalMask);

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
        public static partial int Ioctl(int fd, uint request, IntPtr argument);

        [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
        public static partial int TcGetAttr(int fd, [Out] byte[] termios);

        [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
        public static partial int TcSetAttr(int fd, int optionalActions, byte[] termios);

        [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
        public static unsafe partial nint Read(int fd, byte* buffer, nint count);

        [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
        public static unsafe partial nint Write(int fd, byte* buffer, nint count);

        [LibraryImport("libc", EntryPoint = "tcflush", SetLastError = true)]
        public static partial int TcFlush(int fd, int queueSelector);
    }
}
