namespace Agent.Logs;

/// <summary>Why a path a glob reached is not tailed; the value is the fixed reason label of agent_logs_files_skipped_total.</summary>
public enum SkipReason
{
    Fifo,
    Socket,
    Device,
    Directory,
    UnreadableDirectory,
    UnreadableFile,
}

/// <summary>A path a glob reached and the agent refuses or cannot read, with the sentence that says so.</summary>
public sealed record SkippedPath(string Path, SkipReason Reason, string Sentence)
{
    public string ReasonLabel => Reason switch
    {
        SkipReason.Fifo => "fifo",
        SkipReason.Socket => "socket",
        SkipReason.Device => "device",
        SkipReason.Directory => "directory",
        SkipReason.UnreadableDirectory => "unreadable_directory",
        _ => "unreadable_file",
    };

    /// <summary>A special file found where a log file was expected; null for a regular file.</summary>
    public static SkippedPath? ForKind(string path, FileKind kind) => kind switch
    {
        FileKind.Fifo => new(path, SkipReason.Fifo, $"{path} is a FIFO (named pipe), not a regular file: not tailed, since reading it would block or never end"),
        FileKind.Socket => new(path, SkipReason.Socket, $"{path} is a socket, not a regular file: not tailed"),
        FileKind.CharacterDevice or FileKind.BlockDevice => new(path, SkipReason.Device, $"{path} is a device, not a regular file: not tailed"),
        FileKind.Directory => new(path, SkipReason.Directory, $"{path} is a directory, not a file: not tailed (a glob such as {path.TrimEnd('/')}/*.log reads the files in it)"),
        _ => null,
    };

    public static SkippedPath UnreadableDirectory(string path, string error) =>
        new(path, SkipReason.UnreadableDirectory, $"cannot list directory {path} ({error}): files below it are not tailed, the rest of the glob is");

    public static SkippedPath UnreadableFile(string path, string error) =>
        new(path, SkipReason.UnreadableFile, $"cannot open {path} ({error}): not tailed until it becomes readable");
}
