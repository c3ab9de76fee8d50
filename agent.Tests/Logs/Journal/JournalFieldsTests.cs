using System.Text;
using Agent.Logs.Journal;
using Xunit;

namespace Agent.Tests.Logs.Journal;

public sealed class JournalFieldsTests
{
    private static JournalFields Decode(int maxMessage, params string[] fields)
    {
        var decoded = new JournalFields(maxMessage);
        decoded.Clear();
        foreach (var field in fields) decoded.Take(Encoding.Latin1.GetBytes(field));
        return decoded;
    }

    [Theory]
    [InlineData("MESSAGE=hello", "hello")]
    [InlineData("MESSAGE=", "")]
    [InlineData("MESSAGE=a=b=c", "a=b=c")]
    [InlineData("MESSAGE=line one\nline two", "line one\nline two")]
    [InlineData("MESSAGE=bin\0ary\xff", "bin\0ary\xff")]
    public void Message_is_the_bytes_after_the_first_equals_sign(string field, string message)
    {
        var fields = Decode(1024, field);
        Assert.True(fields.HasMessage);
        Assert.Equal(message, Encoding.Latin1.GetString(fields.Message));
        Assert.False(fields.MessageCut);
    }

    [Theory]
    [InlineData("MESSAGES=x")]
    [InlineData("message=x")]
    [InlineData("_MESSAGE=x")]
    [InlineData("MESSAGE")]
    [InlineData("=MESSAGE")]
    public void Other_fields_are_not_the_message(string field) => Assert.False(Decode(1024, field).HasMessage);

    [Fact]
    public void A_message_longer_than_the_limit_is_cut_and_flagged_with_its_full_length()
    {
        var fields = Decode(4, "MESSAGE=abcdefgh");
        Assert.Equal("abcd", Encoding.ASCII.GetString(fields.Message));
        Assert.True(fields.MessageCut);
        Assert.Equal(8, fields.MessageLength);
    }

    [Theory]
    [InlineData("PRIORITY=0", 0, "fatal")]
    [InlineData("PRIORITY=1", 1, "fatal")]
    [InlineData("PRIORITY=2", 2, "fatal")]
    [InlineData("PRIORITY=3", 3, "error")]
    [InlineData("PRIORITY=4", 4, "warn")]
    [InlineData("PRIORITY=5", 5, "info")]
    [InlineData("PRIORITY=6", 6, "info")]
    [InlineData("PRIORITY=7", 7, "debug")]
    [InlineData("PRIORITY=8", -1, "unknown")]
    [InlineData("PRIORITY=", -1, "unknown")]
    [InlineData("PRIORITY=06", -1, "unknown")]
    [InlineData("PRIORITY=-1", -1, "unknown")]
    [InlineData("SYSLOG_FACILITY=3", -1, "unknown")]
    public void Priority_maps_onto_the_file_sources_levels(string field, int priority, string level)
    {
        var fields = Decode(1024, field);
        Assert.Equal(priority, fields.Priority);
        Assert.Equal(level, JournalFields.Level(fields.Priority));
    }

    [Fact]
    public void Label_fields_are_copied_and_the_rest_skipped()
    {
        var fields = Decode(1024, "_PID=1", "_SYSTEMD_UNIT=ssh.service", "SYSLOG_IDENTIFIER=sshd", "_TRANSPORT=syslog", "_SYSTEMD_USER_UNIT=x.service",
            "SYSLOG_IDENTIFIER=sshd-session");
        Assert.Equal("ssh.service", Encoding.ASCII.GetString(fields.Unit.Bytes));
        // A field written twice: the later value, as journalctl -o export lists both and readers take the last.
        Assert.Equal("sshd-session", Encoding.ASCII.GetString(fields.Identifier.Bytes));
        Assert.Equal("syslog", Encoding.ASCII.GetString(fields.Transport.Bytes));
        Assert.False(fields.HasMessage);
    }

    [Fact]
    public void Clear_forgets_the_previous_entry()
    {
        var fields = Decode(1024, "MESSAGE=one", "_SYSTEMD_UNIT=a.service", "PRIORITY=3");
        fields.Clear();
        fields.Take("MESSAGE=two"u8);
        Assert.Equal("two", Encoding.ASCII.GetString(fields.Message));
        Assert.False(fields.Unit.Present);
        Assert.Equal(-1, fields.Priority);
    }
}
