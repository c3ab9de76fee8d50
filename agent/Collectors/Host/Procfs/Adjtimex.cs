using System.Runtime.InteropServices;

namespace Agent.Collectors.Host.Procfs;

/// <summary>
/// adjtimex(2) in read-only form (modes 0): the kernel clock discipline's state, which is not in
/// any file. The struct is Linux's struct timex on 64-bit: C longs are pointer-sized, the ints
/// after modes, status and shift are padded to 8, and 11 reserved ints close it (208 bytes).
/// </summary>
public static partial class Adjtimex
{
    /// <summary>TIME_ERROR: the clock is not synchronised to a reliable server.</summary>
    public const int TimeError = 5;

    /// <summary>STA_NANO in status: offset and jitter are in nanoseconds, not microseconds.</summary>
    public const int StatusNano = 0x2000;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timex
    {
        public uint Modes;
        public nint Offset, Freq, MaxError, EstError;
        public int Status;
        public nint Constant, Precision, Tolerance;
        public nint TimeSeconds, TimeFraction;
        public nint Tick, PpsFreq, Jitter;
        public int Shift;
        public nint Stabil, JitCount, CalCount, ErrCount, StbCount;
        public int Tai;
        private int _r0, _r1, _r2, _r3, _r4, _r5, _r6, _r7, _r8, _r9, _r10;
    }

    /// <summary>The clock state and adjtimex's return value (TIME_OK .. TIME_ERROR), or false with errno.</summary>
    public static bool TryRead(out Timex timex, out int state, out int errno)
    {
        timex = default;
        state = adjtimex(ref timex);
        errno = state < 0 ? Marshal.GetLastPInvokeError() : 0;
        return state >= 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int adjtimex(ref Timex buffer);
}
