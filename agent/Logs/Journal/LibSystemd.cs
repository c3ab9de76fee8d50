using System.Runtime.InteropServices;

namespace Agent.Logs.Journal;

/// <summary>
/// libsystemd's sd_journal reader, loaded at run time: the agent has no link-time dependency on
/// it, so a host without libsystemd (a minimal container, Windows, macOS) runs everything else and
/// reports the journal source unavailable. Entry points are unmanaged function pointers from
/// NativeLibrary.GetExport — no marshalling stubs, no reflection, nothing the AOT compiler cannot see.
/// </summary>
internal sealed unsafe class LibSystemd
{
    public const string LibraryName = "libsystemd.so.0";

    private static readonly Lock Gate = new();
    private static LibSystemd? _loaded;
    private static string? _unavailable;

    private LibSystemd(nint library)
    {
        Open = (delegate* unmanaged<nint*, int, int>)Export(library, "sd_journal_open");
        OpenDirectory = (delegate* unmanaged<nint*, byte*, int, int>)Export(library, "sd_journal_open_directory");
        Close = (delegate* unmanaged<nint, void>)Export(library, "sd_journal_close");
        AddMatch = (delegate* unmanaged<nint, byte*, nuint, int>)Export(library, "sd_journal_add_match");
        AddDisjunction = (delegate* unmanaged<nint, int>)Export(library, "sd_journal_add_disjunction");
        SetDataThreshold = (delegate* unmanaged<nint, nuint, int>)Export(library, "sd_journal_set_data_threshold");
        Next = (delegate* unmanaged<nint, int>)Export(library, "sd_journal_next");
        Previous = (delegate* unmanaged<nint, int>)Export(library, "sd_journal_previous");
        SeekTail = (delegate* unmanaged<nint, int>)Export(library, "sd_journal_seek_tail");
        SeekRealtime = (delegate* unmanaged<nint, ulong, int>)Export(library, "sd_journal_seek_realtime_usec");
        SeekCursor = (delegate* unmanaged<nint, byte*, int>)Export(library, "sd_journal_seek_cursor");
        TestCursor = (delegate* unmanaged<nint, byte*, int>)Export(library, "sd_journal_test_cursor");
        GetCursor = (delegate* unmanaged<nint, byte**, int>)Export(library, "sd_journal_get_cursor");
        GetRealtime = (delegate* unmanaged<nint, ulong*, int>)Export(library, "sd_journal_get_realtime_usec");
        RestartData = (delegate* unmanaged<nint, void>)Export(library, "sd_journal_restart_data");
        EnumerateData = (delegate* unmanaged<nint, void**, nuint*, int>)Export(library, "sd_journal_enumerate_data");
        Wait = (delegate* unmanaged<nint, ulong, int>)Export(library, "sd_journal_wait");
        GetUsage = (delegate* unmanaged<nint, ulong*, int>)Export(library, "sd_journal_get_usage");
    }

    public readonly delegate* unmanaged<nint*, int, int> Open;
    public readonly delegate* unmanaged<nint*, byte*, int, int> OpenDirectory;
    public readonly delegate* unmanaged<nint, void> Close;
    public readonly delegate* unmanaged<nint, byte*, nuint, int> AddMatch;
    public readonly delegate* unmanaged<nint, int> AddDisjunction;
    public readonly delegate* unmanaged<nint, nuint, int> SetDataThreshold;
    public readonly delegate* unmanaged<nint, int> Next;
    public readonly delegate* unmanaged<nint, int> Previous;
    public readonly delegate* unmanaged<nint, int> SeekTail;
    public readonly delegate* unmanaged<nint, ulong, int> SeekRealtime;
    public readonly delegate* unmanaged<nint, byte*, int> SeekCursor;
    public readonly delegate* unmanaged<nint, byte*, int> TestCursor;
    public readonly delegate* unmanaged<nint, byte**, int> GetCursor;
    public readonly delegate* unmanaged<nint, ulong*, int> GetRealtime;
    public readonly delegate* unmanaged<nint, void> RestartData;
    public readonly delegate* unmanaged<nint, void**, nuint*, int> EnumerateData;
    public readonly delegate* unmanaged<nint, ulong, int> Wait;
    public readonly delegate* unmanaged<nint, ulong*, int> GetUsage;

    /// <summary>The library, loaded once; null with a sentence why when this host has none.</summary>
    public static LibSystemd? TryLoad(out string why)
    {
        lock (Gate)
        {
            if (_loaded is null && _unavailable is null)
            {
                if (!OperatingSystem.IsLinux()) _unavailable = $"the systemd journal exists on Linux only, not on {RuntimeInformation.OSDescription}";
                else if (!NativeLibrary.TryLoad(LibraryName, out var library)) _unavailable = $"{LibraryName} not found (install libsystemd0)";
                else
                {
                    try { _loaded = new LibSystemd(library); }
                    catch (EntryPointNotFoundException e) { _unavailable = $"{LibraryName} lacks {e.Message} (systemd too old)"; }
                }
            }
            why = _unavailable ?? "";
            return _loaded;
        }
    }

    private static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out var address) ? address : throw new EntryPointNotFoundException(name);

    /// <summary>A negative errno as libsystemd returns it, in words ("Permission denied").</summary>
    public static string ErrnoText(int result) => Marshal.GetPInvokeErrorMessage(-result);
}
