using System.Text.Json;
using Microsoft.Extensions.Logging;
using Agent.Telemetry;

namespace Agent.Logs;

/// <summary>
/// {data_dir}/positions.json: per file (device, inode, fingerprint) the offset up to which the
/// monitor acknowledged every line, and per container the timestamp of its last acknowledged line. Written atomically (tmp, fsync, rename) at most once per
/// second when something changed, and at stop. A corrupt file is reported and kept aside as
/// positions.json.corrupt-{time}; sources then start at the end of files present, never
/// silently from the beginning of everything.
/// </summary>
public sealed class PositionsStore : IAsyncDisposable
{
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly Dictionary<string, FilePosition> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ContainerPosition> _containers = new(StringComparer.Ordinal);
    private JournalPosition? _journal;
    private readonly Lock _gate = new();
    private readonly Lock _saveGate = new();
    private readonly CancellationTokenSource _stop = new();
    private bool _dirty;
    private Task? _saver;

    public PositionsStore(string dataDir, ILogger logger)
    {
        _path = Path.Combine(dataDir, "positions.json");
        _logger = logger;
        Directory.CreateDirectory(dataDir);
        Load();
    }

    /// <summary>True when no usable positions existed (first start, or a corrupt file set aside).</summary>
    public bool FirstStart { get; private set; }

    public string FilePath => _path;

    private void Load()
    {
        if (!File.Exists(_path))
        {
            FirstStart = true;
            return;
        }
        try
        {
            var file = JsonSerializer.Deserialize(File.ReadAllBytes(_path), PositionsJsonContext.Default.PositionsFile)
                ?? throw new JsonException("empty document");
            if (file.Version is < 1 or > PositionsFile.CurrentVersion) throw new JsonException($"unsupported version {file.Version}");
            foreach (var p in file.Files) _byKey[Key(p.Device, p.Inode, p.Path)] = p;
            foreach (var c in file.Containers) _containers[c.Id] = c;
            _journal = file.Journal;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            var aside = $"{_path}.corrupt-{DateTime.UtcNow:yyyyMMddTHHmmssZ}";
            try { File.Move(_path, aside, overwrite: true); } catch (IOException) { }
            _logger.LogError("positions file {Path} is unreadable ({Error}); kept as {Aside}; files present now are read from their end",
                _path, ErrorText.Of(e), aside);
            _byKey.Clear();
            _containers.Clear();
            _journal = null;
            FirstStart = true;
        }
    }

    public FilePosition? Find(FileIdentity identity, string path)
    {
        lock (_gate) return _byKey.GetValueOrDefault(Key(identity.Device, identity.Inode, path));
    }

    /// <summary>Every file position, copied: what the last run was reading.</summary>
    public IReadOnlyList<FilePosition> Files()
    {
        lock (_gate)
        {
            var files = new List<FilePosition>(_byKey.Count);
            foreach (var p in _byKey.Values)
            {
                files.Add(new FilePosition { Path = p.Path, Device = p.Device, Inode = p.Inode, Fingerprint = p.Fingerprint, Offset = p.Offset, Updated = p.Updated });
            }
            return files;
        }
    }

    /// <summary>Records an acknowledged offset; persisted by the background saver.</summary>
    public void Set(FileIdentity identity, string path, string fingerprint, long offset)
    {
        lock (_gate)
        {
            var key = Key(identity.Device, identity.Inode, path);
            if (!_byKey.TryGetValue(key, out var position))
            {
                position = new FilePosition { Device = identity.Device, Inode = identity.Inode };
                _byKey[key] = position;
            }
            position.Path = path;
            position.Fingerprint = fingerprint;
            position.Offset = offset;
            position.Updated = DateTimeOffset.UtcNow;
            _dirty = true;
        }
    }

    /// <summary>Forgets a file that is gone (deleted and fully drained).</summary>
    public void Remove(FileIdentity identity, string path)
    {
        lock (_gate)
        {
            if (_byKey.Remove(Key(identity.Device, identity.Inode, path))) _dirty = true;
        }
    }

    /// <summary>The timestamp (ns) of a container's last acknowledged line, or null when none was.</summary>
    public long? FindContainer(string id)
    {
        lock (_gate) return _containers.TryGetValue(id, out var position) ? position.TimestampNs : null;
    }

    /// <summary>
    /// Records an acknowledged line of a container. Acknowledgements of several in-flight
    /// batches may arrive in any order, so the position only moves forward.
    /// </summary>
    public void AdvanceContainer(string id, string name, long timestampNs)
    {
        lock (_gate)
        {
            if (!_containers.TryGetValue(id, out var position))
            {
                position = new ContainerPosition { Id = id };
                _containers[id] = position;
            }
            else if (timestampNs <= position.TimestampNs)
            {
                return;
            }
            position.Name = name;
            position.TimestampNs = timestampNs;
            position.Updated = DateTimeOffset.UtcNow;
            _dirty = true;
        }
    }

    /// <summary>Forgets containers the engine no longer has (removed): their logs are gone with them.</summary>
    public void RetainContainers(Func<string, bool> exists)
    {
        lock (_gate)
        {
            List<string>? gone = null;
            foreach (var id in _containers.Keys)
            {
                if (!exists(id)) (gone ??= []).Add(id);
            }
            if (gone is null) return;
            foreach (var id in gone) _containers.Remove(id);
            _dirty = true;
        }
    }

    /// <summary>The journal's acknowledged cursor for this journal path; "" when reading began with none acknowledged; null when never read.</summary>
    public string? FindJournal(string path)
    {
        lock (_gate) return _journal is { } journal && journal.Path == path ? journal.Cursor : null;
    }

    /// <summary>Records the journal's acknowledged cursor; the same cursor again changes nothing (no rewrite).</summary>
    public void SetJournal(string path, string cursor)
    {
        lock (_gate)
        {
            if (_journal is { } journal && journal.Path == path && journal.Cursor == cursor) return;
            _journal = new JournalPosition { Path = path, Cursor = cursor, Updated = DateTimeOffset.UtcNow };
            _dirty = true;
        }
    }

    public void Start() => _saver ??= SaveLoopAsync(_stop.Token);

    private async Task SaveLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) Save();
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Writes the file if anything changed. Called after every acknowledged batch (so a crash
    /// re-sends at most the batch in flight) and once a second. Errors are logged and retried.
    /// </summary>
    public void Save()
    {
        lock (_saveGate) SaveLocked();
    }

    private void SaveLocked()
    {
        PositionsFile snapshot;
        lock (_gate)
        {
            if (!_dirty) return;
            snapshot = new PositionsFile();
            foreach (var p in _byKey.Values)
            {
                snapshot.Files.Add(new FilePosition
                {
                    Path = p.Path, Device = p.Device, Inode = p.Inode, Fingerprint = p.Fingerprint, Offset = p.Offset, Updated = p.Updated,
                });
            }
            foreach (var c in _containers.Values)
            {
                snapshot.Containers.Add(new ContainerPosition { Id = c.Id, Name = c.Name, TimestampNs = c.TimestampNs, Updated = c.Updated });
            }
            // Replaced, never changed in place: the snapshot may share it.
            snapshot.Journal = _journal;
            _dirty = false;
        }
        var tmp = _path + ".tmp";
        try
        {
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, snapshot, PositionsJsonContext.Default.PositionsFile);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lock (_gate) _dirty = true;
            _logger.LogError("cannot write positions file {Path}: {Error}", _path, ErrorText.Of(e));
        }
    }

    private static string Key(ulong device, ulong inode, string path) =>
        inode != 0 ? $"{device}:{inode}" : "path:" + path;

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            _stop.Cancel();
            if (_saver is not null) await _saver;
        }
        Save();
    }
}
