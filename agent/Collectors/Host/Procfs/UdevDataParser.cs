using System.Text;

namespace Agent.Collectors.Host.Procfs;

/// <summary>The udev properties node_exporter 1.5 puts on node_disk_info; "" where udev has none.</summary>
public sealed record UdevProperties(string Path, string Model, string Serial, string Revision, string Wwn)
{
    public static readonly UdevProperties Empty = new("", "", "", "", "");
}

/// <summary>
/// udev's database entry of a block device (/run/udev/data/b&lt;major&gt;:&lt;minor&gt;): "E:KEY=value"
/// lines hold the properties, other prefixes (S: links, I: init time, G: tags) are skipped. The
/// serial is SCSI_IDENT_SERIAL when present, else ID_SERIAL_SHORT, as node_exporter chooses.
/// </summary>
public static class UdevDataParser
{
    public static UdevProperties Parse(ReadOnlySpan<byte> content)
    {
        string path = "", model = "", scsiSerial = "", shortSerial = "", revision = "", wwn = "";
        foreach (var line in new LineEnumerator(content))
        {
            if (!line.StartsWith("E:"u8)) continue;
            var eq = line.IndexOf((byte)'=');
            if (eq < 3) continue;
            var key = line[2..eq];
            var value = line[(eq + 1)..].TrimEnd("\r"u8);
            if (key.SequenceEqual("ID_PATH"u8)) path = Encoding.UTF8.GetString(value);
            else if (key.SequenceEqual("ID_MODEL"u8)) model = Encoding.UTF8.GetString(value);
            else if (key.SequenceEqual("SCSI_IDENT_SERIAL"u8)) scsiSerial = Encoding.UTF8.GetString(value);
            else if (key.SequenceEqual("ID_SERIAL_SHORT"u8)) shortSerial = Encoding.UTF8.GetString(value);
            else if (key.SequenceEqual("ID_REVISION"u8)) revision = Encoding.UTF8.GetString(value);
            else if (key.SequenceEqual("ID_WWN"u8)) wwn = Encoding.UTF8.GetString(value);
        }
        return new UdevProperties(path, model, scsiSerial.Length > 0 ? scsiSerial : shortSerial, revision, wwn);
    }
}
