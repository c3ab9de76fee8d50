using Microsoft.Win32.SafeHandles;

namespace Agent.Logs;

/// <summary>
/// A file's identity: device and inode, so a renamed file is still the same file and a new
/// file at an old path is a different one. Elsewhere than Linux the identity is empty and the
/// fingerprint of the first bytes does the job alone.
/// </summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    public bool IsKnown => Inode != 0;

    public override string ToString() => $"{Device}:{Inode}";

    public static FileIdentity Of(string path) => FileStatus.Of(path).Identity;

    public static FileIdentity Of(SafeFileHandle handle) => FileStatus.Of(handle).Identity;
}
