using Agent.Collectors.Process;
using Xunit;

namespace Agent.Tests.Collectors.Process;

/// <summary>process-exporter's matcher and name template semantics (config/config.go), table-driven.</summary>
public sealed class GroupMatcherTests
{
    private static readonly UserNames Users = new(Support.Fixtures.Path("process", "etc", "passwd"));

    private static readonly ProcessIdentity Java = new(100, "java", ["/usr/bin/java", "-Xmx1g", "-jar", "/srv/shop.jar"], 1000);
    private static readonly ProcessIdentity Kernel = new(2, "kthreadd", [], 0);
    private static readonly ProcessIdentity Nginx = new(300, "nginx", ["nginx: worker process"], 33);

    public static TheoryData<string, string[]?, string[]?, string[]?, ProcessIdentity, string?> Cases => new()
    {
        { "{{.Comm}}", null, null, [".+"], Java, "java" },
        // The packaged default leaves out kernel threads: they have no command line.
        { "{{.Comm}}", null, null, [".+"], Kernel, null },
        { "", ["java", "bash"], null, null, Java, "java" },
        { "", ["bash"], null, null, Java, null },
        // exe without a slash compares argv[0]'s base name, with one the whole argv[0].
        { "{{.ExeFull}}", null, ["java"], null, Java, "/usr/bin/java" },
        { "x", null, ["/usr/bin/java"], null, Java, "x" },
        { "x", null, ["/opt/bin/java"], null, Java, null },
        { "x", null, ["java"], null, Kernel, null },
        // Every selector given must match.
        { "x", ["java"], ["python"], null, Java, null },
        { "{{.Comm}}:{{.Matches.app}}", ["java"], null, [@"-jar\s+(?P<app>\S+)"], Java, "java:/srv/shop.jar" },
        { "{{.Matches.heap}}-{{.Matches.app}}", null, null, [@"-Xmx(?<heap>\w+)", @"-jar (?P<app>\S+)"], Java, "1g-/srv/shop.jar" },
        { "x", null, null, ["-jar", "-nope"], Java, null },
        { "{{ .Username }}/{{.PID}}", ["java"], null, null, Java, "alice/100" },
        { "{{.Username}}", ["nginx"], null, null, Nginx, "33" },
        // Without a command line, ExeBase and ExeFull fall back to comm.
        { "{{.ExeBase}}", ["kthreadd"], null, null, Kernel, "kthreadd" },
        { "", ["nginx"], null, null, Nginx, "nginx: worker process" },
        { "", null, null, ["^nginx"], Nginx, "nginx: worker process" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_and_names(string name, string[]? comm, string[]? exe, string[]? cmdline, ProcessIdentity process, string? expected) =>
        Assert.Equal(expected, new GroupMatcher(name, comm, exe, cmdline).Match(process, Users));

    [Theory]
    [InlineData("{{.Comm}}", null, "needs at least one of comm, exe or cmdline")]
    [InlineData("{{.Cgroups}}", "x", "unknown template field \"{{.Cgroups}}\"")]
    [InlineData("{{.Comm", "x", "unclosed action")]
    [InlineData("{{.Matches.app}}", "x", "{{.Matches.app}} names no capture group")]
    [InlineData("{{.Comm}}", "(", "invalid regular expression \"(\"")]
    public void Invalid_groups_are_refused(string name, string? cmdline, string message)
    {
        var e = Assert.Throws<InvalidGroupException>(() => new GroupMatcher(name, null, null, cmdline is null ? null : [cmdline]));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("/usr/bin/java", "java")]
    [InlineData("java", "java")]
    [InlineData("/usr/sbin/", "sbin")]
    [InlineData("/", "/")]
    [InlineData("", ".")]
    public void Base_name_is_go_filepath_base(string path, string expected) => Assert.Equal(expected, ProcessIdentity.BaseName(path));
}
