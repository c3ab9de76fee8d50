using System.Text.Json.Serialization;

namespace Agent.Logs;

/// <summary>
/// positions.json as written on disk; versioned so a future layout can migrate it.
/// Version 1 held files only; version 2 adds containers (a version-1 file reads as having none).
/// </summary>
public sealed class PositionsFile
{
    public const int CurrentVersion = 2;

    public int Version { get; set; } = CurrentVersion;
    public List<FilePosition> Files { get; set; } = [];
    public List<ContainerPosition> Containers { get; set; } = [];
    /// <summary>Optional (absent before the journal source existed, and while it is off).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JournalPosition? Journal { get; set; }
}

/// <summary>How far one file has been delivered: only offsets the monitor acknowledged.</summary>
public sealed class FilePosition
{
    public string Path { get; set; } = "";
    public ulong Device { get; set; }
    public ulong Inode { get; set; }
    /// <summary>Hex of the first bytes (up to 1 KiB): tells a replaced or truncated file from the same one.</summary>
    public string Fingerprint { get; set; } = "";
    public long Offset { get; set; }
    public DateTimeOffset Updated { get; set; }
}

/// <summary>How far one container's log has been delivered: the timestamp (Docker's, ns) of the last acknowledged line.</summary>
public sealed class ContainerPosition
{
    public string Id { get; set; } = "";
    /// <summary>For whoever reads the file; the id is the key.</summary>
    public string Name { get; set; } = "";
    public long TimestampNs { get; set; }
    public DateTimeOffset Updated { get; set; }
}

/// <summary>
/// How far the journal has been delivered: the cursor of the last entry Loki acknowledged with
/// every entry before it; empty once reading began and nothing was acknowledged yet. Kept for
/// one journal path ("" is the system journal): a cursor of another journal means nothing here.
/// </summary>
public sealed class JournalPosition
{
    public string Path { get; set; } = "";
    public string Cursor { get; set; } = "";
    public DateTimeOffset Updated { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(PositionsFile))]
internal sealed partial class PositionsJsonContext : JsonSerializerContext
{
}
