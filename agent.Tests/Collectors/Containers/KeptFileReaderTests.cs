using Agent.Collectors.Containers;
using Xunit;

namespace Agent.Tests.Collectors.Containers;

public sealed class KeptFileReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-kept-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private KeptFile Write(string name, string content)
    {
        File.WriteAllText(Path.Combine(_dir, name), content);
        return new KeptFile(Path.Combine(_dir, name));
    }

    [Fact]
    public void A_kept_file_is_read_from_its_start_each_time_and_stays_open()
    {
        var reader = new KeptFileReader();
        var file = Write("memory.current", "1000\n");
        Assert.True(reader.TryRead(file, oneRecord: true, out var first));
        Assert.Equal("1000\n"u8.ToArray(), first.ToArray());
        Assert.Equal(1, reader.Kept);

        // Rewritten in place (as the kernel regenerates a cgroup file): the next read sees it whole.
        using (var stream = new FileStream(Path.Combine(_dir, "memory.current"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.Write("2000\n"u8);
        }
        Assert.True(reader.TryRead(file, oneRecord: true, out var second));
        Assert.Equal("2000\n"u8.ToArray(), second.ToArray());
        Assert.Equal(1, reader.Kept);

        reader.Close(file);
        Assert.Equal(0, reader.Kept);
        reader.Close(file);
        Assert.Equal(0, reader.Kept);
    }

    [Fact]
    public void Long_files_are_read_to_their_end()
    {
        var procs = string.Concat(Enumerable.Range(1, 20000).Select(i => $"{i}\n"));
        var file = Write("cgroup.procs", procs);
        var reader = new KeptFileReader();
        Assert.True(reader.TryRead(file, oneRecord: false, out var content));
        Assert.Equal(System.Text.Encoding.ASCII.GetByteCount(procs), content.Length);
        Assert.True(reader.TryRead(file, oneRecord: false, out content));
        Assert.Equal(System.Text.Encoding.ASCII.GetByteCount(procs), content.Length);
    }

    [Fact]
    public void Past_the_budget_files_are_opened_per_read_and_a_missing_file_is_false()
    {
        var reader = new KeptFileReader(budget: 1);
        var a = Write("a", "1\n");
        var b = Write("b", "2\n");
        Assert.True(reader.TryRead(a, oneRecord: true, out _));
        Assert.True(reader.TryRead(b, oneRecord: true, out var content));
        Assert.Equal("2\n"u8.ToArray(), content.ToArray());
        Assert.Equal(1, reader.Kept);

        Assert.False(reader.TryRead(new KeptFile(Path.Combine(_dir, "gone")), oneRecord: true, out _));
        Assert.False(reader.TryRead(null, oneRecord: true, out _));
        Assert.Equal(1, reader.Kept);
    }
}
