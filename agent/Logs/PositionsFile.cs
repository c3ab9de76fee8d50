using System.Text.Json.Serialization;

namespace Agent.Logs;

/// <summary>positions.json as written on disk; versioned so a future layout can migrate it.</summary>
public sealed class PositionsFile
{
    public int Version { get; set; } = 1;
    public List<FilePosition> Files { get; set; } = [];
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

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(PositionsFile))]
internal sealed partial class PositionsJsonContext : JsonSerializerContext
{
}
