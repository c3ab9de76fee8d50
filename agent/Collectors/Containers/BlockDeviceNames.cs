using Agent.Collectors.Host.Procfs;

namespace Agent.Collectors.Containers;

/// <summary>
/// "/dev/NAME" for a block device's major:minor, from DEVNAME in /sys/dev/block/MAJ:MIN/uevent,
/// as cAdvisor names the device of blkio and fs series ("" when the device is unknown).
/// Cached for the agent's life: device numbers are not reused while a disk stays attached.
/// </summary>
public sealed class BlockDeviceNames(string sysPath)
{
    private readonly Dictionary<(int Major, int Minor), string> _names = [];
    private readonly ProcFileReader _reader = new(512);

    public string Of(int major, int minor)
    {
        if (_names.TryGetValue((major, minor), out var name)) return name;
        name = "";
        var path = Path.Combine(sysPath, "dev", "block", $"{major}:{minor}", "uevent");
        if (_reader.TryRead(path, out var content))
        {
            foreach (var line in new LineEnumerator(content))
            {
                if (line.StartsWith("DEVNAME="u8)) name = "/dev/" + System.Text.Encoding.UTF8.GetString(line["DEVNAME=".Length..]);
            }
        }
        _names[(major, minor)] = name;
        return name;
    }
}
