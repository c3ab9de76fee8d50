namespace Agent.Collectors.Process;

/// <summary>A [[process.groups]] entry that cannot compile; <see cref="Key"/> is the key at fault ("cmdline", "name"), null for the entry as a whole.</summary>
public sealed class InvalidGroupException(string? key, string message, Exception? inner = null) : Exception(message, inner)
{
    public string? Key { get; } = key;
}
