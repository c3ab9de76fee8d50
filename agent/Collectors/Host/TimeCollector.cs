using System.Buffers;
using Agent.Collectors.Host.Procfs;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>
/// node_exporter's time collector: wall clock, time zone offset, and the clocksources from
/// /sys/devices/system/clocksource (available and current, per clocksource device).
/// </summary>
public sealed class TimeCollector(HostPaths paths) : ICollector
{
    private readonly string _clocksources = paths.SysFile("devices/system/clocksource");
    private readonly ProcFileReader _reader = new(256);
    private (string Device, string Available, string Current)[]? _devices;
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private byte[] _raw = [];
    private (MetricFamily Available, MetricFamily Current)? _cached;

    public string Name => "time";

    public void Collect(List<MetricFamily> into)
    {
        var now = DateTimeOffset.UtcNow;
        into.AddGauge("node_time_seconds", "System time in seconds since epoch (1970).", now.ToUnixTimeMilliseconds() / 1000.0);
        var zone = TimeZoneInfo.Local;
        var offset = zone.GetUtcOffset(now);
        var zoneFamily = new MetricFamily("node_time_zone_offset_seconds", "System time zone offset in seconds.", MetricType.Gauge, capacity: 1);
        zoneFamily.Add([new Label("time_zone", ZoneAbbreviation(zone, now))], offset.TotalSeconds);
        into.Add(zoneFamily);
        if (Clocksources() is { } clock)
        {
            into.Add(clock.Available);
            into.Add(clock.Current);
        }
    }

    /// <summary>Clocksource families, rebuilt only when the sysfs contents change (they almost never do).</summary>
    private (MetricFamily Available, MetricFamily Current)? Clocksources()
    {
        if (_devices is null)
        {
            if (!Directory.Exists(_clocksources)) return null;
            _devices = [.. Directory.EnumerateDirectories(_clocksources, "clocksource*").Order(StringComparer.Ordinal)
                .Select(d => (Path.GetFileName(d)["clocksource".Length..], Path.Combine(d, "available_clocksource"), Path.Combine(d, "current_clocksource")))];
        }
        var raw = _scratch;
        raw.ResetWrittenCount();
        foreach (var (_, availablePath, currentPath) in _devices)
        {
            if (_reader.TryRead(availablePath, out var content)) raw.Write(content);
            raw.Write("|"u8);
            if (_reader.TryRead(currentPath, out content)) raw.Write(content);
            raw.Write("|"u8);
        }
        if (_cached is not null && raw.WrittenSpan.SequenceEqual(_raw)) return _cached;
        _raw = raw.WrittenSpan.ToArray();
        var available = new MetricFamily("node_time_clocksource_available_info", "Available clocksources read from '/sys/devices/system/clocksource'.", MetricType.Gauge);
        var current = new MetricFamily("node_time_clocksource_current_info", "Current clocksource read from '/sys/devices/system/clocksource'.", MetricType.Gauge);
        foreach (var (device, availablePath, currentPath) in _devices)
        {
            try
            {
                foreach (var name in File.ReadAllText(availablePath).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    available.Add([new("clocksource", name), new("device", device)], 1);
                }
                current.Add([new("clocksource", File.ReadAllText(currentPath).Trim()), new("device", device)], 1);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        _cached = (available, current);
        return _cached;
    }

    /// <summary>
    /// Go reports the zone abbreviation ("UTC", "CET"); .NET has no abbreviation, so UTC zones map
    /// to "UTC" and others use their id's last segment when it is an abbreviation, else the id.
    /// </summary>
    private static string ZoneAbbreviation(TimeZoneInfo zone, DateTimeOffset now)
    {
        if (zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime) return "UTC";
        var name = zone.IsDaylightSavingTime(now) ? zone.DaylightName : zone.StandardName;
        return name.Length is > 0 and <= 5 ? name : zone.Id;
    }
}
