using System.Runtime.InteropServices;
using System.Text;
using Agent.Pipeline;

namespace Agent.Collectors.Host;

/// <summary>node_exporter's uname collector: node_uname_info from uname(2), read once (it does not change while running).</summary>
public sealed partial class UnameCollector : ICollector
{
    private const int FieldLength = 65;
    private MetricFamily? _family;

    public string Name => "uname";

    public void Collect(List<MetricFamily> into) => into.Add(_family ??= Read());

    private static unsafe MetricFamily Read()
    {
        // struct utsname on Linux: six char[65] fields (sysname, nodename, release, version, machine, domainname).
        var buffer = stackalloc byte[FieldLength * 6];
        if (uname(buffer) != 0) throw new IOException($"uname failed: errno {Marshal.GetLastPInvokeError()}");
        string Field(int i)
        {
            var span = new ReadOnlySpan<byte>(buffer + i * FieldLength, FieldLength);
            var end = span.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
        }
        var family = new MetricFamily("node_uname_info", "Labeled system information as provided by the uname system call.", MetricType.Gauge);
        family.Add(Labels.Sorted([
            new("sysname", Field(0)), new("nodename", Field(1)), new("release", Field(2)),
            new("version", Field(3)), new("machine", Field(4)), new("domainname", Field(5)),
        ]), 1);
        return family;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int uname(byte* buffer);
}
