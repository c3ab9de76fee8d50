using Agent.Exporters.RemoteWrite.Buffer;
using Agent.Logs;
using Xunit;

namespace Agent.Tests.Exporters.RemoteWrite.Buffer;

public sealed class LedgerFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("agent-ledger-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string LedgerPath => Path.Combine(_dir, Ledger.FileName);

    private Ledger Load()
    {
        var ledger = Ledger.Load(_dir, out var problem);
        Assert.Null(problem);
        return ledger;
    }

    [Fact]
    public void The_last_save_is_what_loads()
    {
        using (var file = new LedgerFile(_dir, 0))
        {
            file.Save(5, [7, 9]);
            file.Save(8, [9]);
            file.Save(12, [14, 15, 20]);
        }
        var ledger = Load();
        Assert.Equal(3, ledger.Generation);
        Assert.Equal(12, ledger.Mark);
        Assert.Equal([14L, 15, 20], ledger.Settled);
    }

    [Fact]
    public void Saves_after_the_first_write_in_place_without_a_new_file()
    {
        using var file = new LedgerFile(_dir, 0);
        file.Save(1, []);
        var identity = FileStatus.Of(LedgerPath).Identity;
        for (var i = 2; i < 50; i++) file.Save(i, [i + 2]);
        Assert.Equal(identity, FileStatus.Of(LedgerPath).Identity);
        Assert.False(File.Exists(LedgerPath + ".tmp"));
        Assert.Equal(49, Load().Mark);
    }

    [Fact]
    public void A_torn_newer_slot_leaves_the_older_save()
    {
        using (var file = new LedgerFile(_dir, 0))
        {
            file.Save(5, [7]);
            file.Save(9, [11]);
        }
        // Generation 2 went to the first slot; tear it as a crash mid-pwrite would.
        var bytes = File.ReadAllBytes(LedgerPath);
        bytes[20] ^= 0xFF;
        File.WriteAllBytes(LedgerPath, bytes);
        var ledger = Load();
        Assert.Equal(1, ledger.Generation);
        Assert.Equal(5, ledger.Mark);
        Assert.Equal([7L], ledger.Settled);
    }

    [Fact]
    public void A_run_after_a_restart_goes_on_from_the_loaded_generation()
    {
        using (var file = new LedgerFile(_dir, 0))
        {
            file.Save(5, []);
            file.Save(6, []);
        }
        using (var file = new LedgerFile(_dir, Load().Generation))
        {
            file.Save(10, []);
            file.Save(11, []);
        }
        var ledger = Load();
        Assert.Equal(4, ledger.Generation);
        Assert.Equal(11, ledger.Mark);
    }

    [Fact]
    public void A_settled_set_larger_than_a_slot_grows_the_file()
    {
        var many = Enumerable.Range(100, 2000).Select(i => (long)i).ToArray();
        using (var file = new LedgerFile(_dir, 0))
        {
            file.Save(50, [60]);
            file.Save(99, many);
        }
        var ledger = Load();
        Assert.Equal(99, ledger.Mark);
        Assert.Equal(many, ledger.Settled);
        Assert.True(new FileInfo(LedgerPath).Length >= 2 * 8 * 2000);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("agent remote-write buffer ledger v1\nmark 5\nsettled\n")]
    public void Anything_else_is_not_a_ledger(string text)
    {
        File.WriteAllText(LedgerPath, text);
        var ledger = Ledger.Load(_dir, out var problem);
        Assert.Same(Ledger.Empty, ledger);
        Assert.Equal($"{LedgerPath} is not a ledger", problem);
    }
}
