using Agent.Collectors.Containers;
using System.Text;
using Agent.Collectors;
using Agent.Collectors.Containers.Cgroups;
using Agent.Collectors.Host.Procfs;
using Agent.Tests.Support;
using Xunit;

namespace Agent.Tests.Collectors.Containers.Cgroups;

/// <summary>Finding the hierarchies in mountinfo and a container's cgroup in them.</summary>
public sealed class CgroupLayoutTests
{
    private const string V1Id = "91907429ee3ca41761a25e19a8a6f5eb79e5f5df35efc578c726970b0e7b5ee5";
    private const string V2Id = "3f4c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7";

    private static List<CgroupMount> Mounts(string text) => MountinfoParser.ParseCgroupMounts(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Mountinfo_keeps_cgroup_mounts_with_their_controllers_and_root()
    {
        var mounts = Mounts("""
            23 27 0:22 / /sys rw,relatime - sysfs sysfs rw
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            33 31 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:8 master:3 - cgroup cgroup rw,cpu,cpuacct
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            50 49 0:40 /docker/abc /sys/fs/cgroup/memory ro,relatime - cgroup cgroup ro,memory
            60 49 0:41 / /mnt/with\040space rw - cgroup2 cgroup2 rw,nsdelegate
            """);
        Assert.Equal(6, mounts.Count);
        Assert.Equal(["cpu"], mounts[0].Controllers);
        Assert.Equal(["cpu", "cpuacct"], mounts[1].Controllers);
        Assert.Contains("name=systemd", mounts[2].Controllers);
        Assert.True(mounts[3].IsV2);
        Assert.Empty(mounts[3].Controllers);
        Assert.Equal("/docker/abc", mounts[4].Root);
        Assert.Equal("/mnt/with space", mounts[5].MountPoint);
    }

    [Theory]
    [InlineData("/sys/fs/cgroup/memory", "", "/host/sys", "/host/sys/fs/cgroup/memory")]
    [InlineData("/sys/fs/cgroup", "", "/host/sys", "/host/sys/fs/cgroup")]
    [InlineData("/sys/fs/cgroup/memory", "/cg", "/host/sys", "/cg/memory")]
    [InlineData("/sys/fs/cgroupx", "/cg", "/host/sys", "/host/sys/fs/cgroupx")]
    // Already where the agent sees it (host /sys bind-mounted, seen from inside the agent's container).
    [InlineData("/host/sys/fs/cgroup/memory", "", "/host/sys", "/host/sys/fs/cgroup/memory")]
    [InlineData("/cgroup/memory", "", "/sys", "/cgroup/memory")]
    public void Mount_points_are_rerooted_under_the_configured_paths(string mountPoint, string cgroupRoot, string sys, string expected)
    {
        var root = cgroupRoot.Length > 0 ? cgroupRoot : sys + "/fs/cgroup";
        Assert.Equal(expected, CgroupLayout.Reroot(mountPoint, root, sys));
    }

    [Fact]
    public void A_hybrid_host_is_read_as_v1_and_a_cgroup2_only_host_as_v2()
    {
        var paths = new HostPaths("/proc", "/sys", "/");
        var hybrid = CgroupLayout.FromMounts(Mounts("""
            35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
            41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
            """), paths, "");
        Assert.Equal(CgroupVersion.V1, hybrid!.Version);
        var unified = CgroupLayout.FromMounts(Mounts("30 23 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate"), paths, "");
        Assert.Equal(CgroupVersion.V2, unified!.Version);
        Assert.Null(CgroupLayout.FromMounts(Mounts("23 27 0:22 / /sys rw - sysfs sysfs rw"), paths, ""));
        Assert.Null(CgroupLayout.Discover(new HostPaths("/nonexistent-proc", "/sys", "/"), ""));
    }

    [Fact]
    public void V1_container_is_found_through_its_init_pid_with_separate_cpu_and_cpuacct()
    {
        var layout = CgroupLayout.Discover(new HostPaths(Fixtures.Path("containers", "v1-cgroupfs", "proc"), Fixtures.Path("containers", "v1-cgroupfs", "sys"), "/"), "")!;
        Assert.Equal(CgroupVersion.V1, layout.Version);
        Assert.True(layout.TryResolve(V1Id, 4512, new ProcFileReader(), out var cgroup));
        Assert.Equal($"/docker/{V1Id}", cgroup.Name);
        Assert.Null(cgroup.V2);
        Assert.Equal(Fixtures.Path("containers", "v1-cgroupfs", "sys", "fs", "cgroup", "cpuacct", "docker", V1Id, "cpuacct.usage"), Text(cgroup.V1!.CpuacctUsage));
        Assert.Equal(Fixtures.Path("containers", "v1-cgroupfs", "sys", "fs", "cgroup", "cpu", "docker", V1Id, "cpu.stat"), Text(cgroup.V1.CpuStat));
        Assert.Equal(Fixtures.Path("containers", "v1-cgroupfs", "sys", "fs", "cgroup", "pids", "docker", V1Id, "cgroup.procs"), Text(cgroup.V1.Procs));
    }

    [Fact]
    public void Cgroup_root_setting_replaces_sys_path_for_the_hierarchies()
    {
        var layout = CgroupLayout.Discover(
            new HostPaths(Fixtures.Path("containers", "v1-cgroupfs", "proc"), "/nonexistent-sys", "/"),
            Fixtures.Path("containers", "v1-cgroupfs", "sys", "fs", "cgroup"))!;
        Assert.True(layout.TryResolve(V1Id, 0, new ProcFileReader(), out var cgroup));
        Assert.Equal($"/docker/{V1Id}", cgroup.Name);
    }

    [Fact]
    public void V1_systemd_driver_with_cpu_and_cpuacct_comounted_shares_one_directory()
    {
        var tree = Directory.CreateTempSubdirectory("agent-layout-");
        try
        {
            var id = new string('c', 64);
            Write(tree, "proc/self/mountinfo", """
                32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
                35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
                """);
            Directory.CreateDirectory(Path.Combine(tree.FullName, "sys/fs/cgroup/cpu,cpuacct/system.slice", $"docker-{id}.scope"));
            Directory.CreateDirectory(Path.Combine(tree.FullName, "sys/fs/cgroup/memory/system.slice", $"docker-{id}.scope"));
            var layout = CgroupLayout.Discover(new HostPaths(Path.Combine(tree.FullName, "proc"), Path.Combine(tree.FullName, "sys"), "/"), "")!;
            Assert.True(layout.TryResolve(id, 0, new ProcFileReader(), out var cgroup));
            Assert.Equal($"/system.slice/docker-{id}.scope", cgroup.Name);
            var dir = Path.Combine(tree.FullName, "sys/fs/cgroup/cpu,cpuacct/system.slice", $"docker-{id}.scope");
            Assert.Equal(Path.Combine(dir, "cpu.stat"), Text(cgroup.V1!.CpuStat));
            Assert.Equal(Path.Combine(dir, "cpuacct.usage"), Text(cgroup.V1.CpuacctUsage));
            // No pids hierarchy: no threads, and processes come from the memory hierarchy.
            Assert.Null(cgroup.V1.PidsCurrent);
            Assert.StartsWith(Path.Combine(tree.FullName, "sys/fs/cgroup/memory"), Text(cgroup.V1.Procs));
        }
        finally
        {
            tree.Delete(recursive: true);
        }
    }

    [Fact]
    public void V2_cgroupfs_driver_and_a_namespaced_proc_path_fall_back_to_the_naming()
    {
        var tree = Directory.CreateTempSubdirectory("agent-layout-");
        try
        {
            var id = new string('f', 64);
            Write(tree, "proc/self/mountinfo", "30 23 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
            // Read from inside another cgroup namespace the path climbs out of it: not usable as is.
            Write(tree, "proc/77/cgroup", $"0::/../../docker/{id}\n");
            Directory.CreateDirectory(Path.Combine(tree.FullName, "sys/fs/cgroup/docker", id));
            var layout = CgroupLayout.Discover(new HostPaths(Path.Combine(tree.FullName, "proc"), Path.Combine(tree.FullName, "sys"), "/"), "")!;
            Assert.True(layout.TryResolve(id, 77, new ProcFileReader(), out var cgroup));
            Assert.Equal($"/docker/{id}", cgroup.Name);
            Assert.Equal(Path.Combine(tree.FullName, "sys/fs/cgroup/docker", id, "memory.current"), Text(cgroup.V2!.MemoryCurrent));
        }
        finally
        {
            tree.Delete(recursive: true);
        }
    }

    private static void Write(DirectoryInfo tree, string relative, string content)
    {
        var path = Path.Combine(tree.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [Fact]
    public void V2_systemd_container_is_found_through_its_pid_or_by_the_drivers_naming()
    {
        var root = Fixtures.Path("containers", "v2-systemd");
        var layout = CgroupLayout.Discover(new HostPaths(Path.Combine(root, "proc"), Path.Combine(root, "sys"), "/"), "")!;
        Assert.Equal(CgroupVersion.V2, layout.Version);
        var reader = new ProcFileReader();
        Assert.True(layout.TryResolve(V2Id, 4242, reader, out var byPid));
        Assert.Equal($"/system.slice/docker-{V2Id}.scope", byPid.Name);
        // PID unknown, or its /proc entry gone: the systemd driver's naming still finds it.
        Assert.True(layout.TryResolve(V2Id, 0, reader, out var byName));
        Assert.Equal(byPid.Name, byName.Name);
        Assert.True(layout.TryResolve(V2Id, 99999, reader, out _));
        Assert.False(layout.TryResolve(new string('e', 64), 0, reader, out _));
    }

    /// <summary>A resolved file path as text (the collector keeps them NUL-terminated for libc).</summary>
    private static string Text(KeptFile? file) => file!.ToString();
}
