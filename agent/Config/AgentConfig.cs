using System.Text.Json.Serialization;

namespace Agent.Config;

/// <summary>
/// The whole agent.toml. Raw values as written (durations as strings); <see cref="ConfigValidator"/>
/// expands ${VAR}s, checks every value and fills the parsed [JsonIgnore] members.
/// Every table carries [JsonExtensionData] so that unknown keys are caught and reported
/// with their line and column instead of being ignored.
/// </summary>
public sealed class AgentConfig : ConfigTable
{
    public AgentSection Agent { get; set; } = new();
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
    public HttpSection Http { get; set; } = new();
    [JsonPropertyName("remote_write")]
    public List<RemoteWriteConfig> RemoteWrite { get; set; } = [];
    public List<LokiConfig> Loki { get; set; } = [];
    public LogsSection Logs { get; set; } = new();
    public HostSection Host { get; set; } = new();
    public ProcessSection Process { get; set; } = new();
    public ContainersSection Containers { get; set; } = new();
    public List<ScrapeConfig> Scrape { get; set; } = [];
    [JsonPropertyName("scrape_docker")]
    public DockerScrapeSection ScrapeDocker { get; set; } = new();

    /// <summary>Whether anything reads the Docker engine: container metrics, or container logs with a Loki to send them to.</summary>
    [JsonIgnore] public bool FollowsDocker => Containers.Enabled || (Logs.Docker.Enabled && Loki.Count > 0);
}

/// <summary>Base of every TOML table: collects keys no property claims.</summary>
public abstract class ConfigTable
{
    [JsonExtensionData]
    public Dictionary<string, object?>? Unknown { get; set; }
}

public sealed class AgentSection : ConfigTable
{
    /// <summary>Empty means the machine's host name.</summary>
    public string Hostname { get; set; } = "";
    public string Environment { get; set; } = "production";
    public string Interval { get; set; } = "15s";
    [JsonPropertyName("data_dir")]
    public string DataDir { get; set; } = "/var/lib/agent";
    [JsonPropertyName("shutdown_timeout")]
    public string ShutdownTimeout { get; set; } = "10s";
    /// <summary>/healthz fails when an exporter holding data has settled nothing for this long.</summary>
    [JsonPropertyName("stall_timeout")]
    public string StallTimeout { get; set; } = "5m";

    [JsonIgnore] public TimeSpan IntervalValue { get; set; }
    [JsonIgnore] public TimeSpan ShutdownTimeoutValue { get; set; }
    [JsonIgnore] public TimeSpan StallTimeoutValue { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class HttpSection : ConfigTable
{
    /// <summary>host:port for /metrics and /healthz; empty disables the listener.</summary>
    public string Listen { get; set; } = "127.0.0.1:9101";
    /// <summary>Prometheus exporter-toolkit web config (TLS, basic auth) for the listener; empty: plain http.</summary>
    [JsonPropertyName("web_config_file")]
    public string WebConfigFile { get; set; } = "";
}

public sealed class BasicAuthConfig : ConfigTable
{
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
    [JsonPropertyName("password_file")]
    public string PasswordFile { get; set; } = "";
}

/// <summary>What every push endpoint shares: where, how long, who we are.</summary>
public abstract class EndpointConfig : ConfigTable
{
    public string Url { get; set; } = "";
    public string Timeout { get; set; } = "10s";
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    [JsonPropertyName("basic_auth")]
    public BasicAuthConfig? BasicAuth { get; set; }
    [JsonPropertyName("bearer_token")]
    public string BearerToken { get; set; } = "";
    [JsonPropertyName("bearer_token_file")]
    public string BearerTokenFile { get; set; } = "";
    /// <summary>Sent as X-Scope-OrgID (Loki, Mimir, Cortex multi-tenancy).</summary>
    [JsonPropertyName("tenant_id")]
    public string TenantId { get; set; } = "";
    [JsonPropertyName("min_backoff")]
    public string MinBackoff { get; set; } = "500ms";
    [JsonPropertyName("max_backoff")]
    public string MaxBackoff { get; set; } = "5m";
    public TlsConfig? Tls { get; set; }
    /// <summary>HTTP(S) proxy for this endpoint; empty: HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment.</summary>
    [JsonPropertyName("proxy_url")]
    public string ProxyUrl { get; set; } = "";

    [JsonIgnore] public Uri? ProxyValue { get; set; }
    [JsonIgnore] public Uri UrlValue { get; set; } = null!;
    [JsonIgnore] public TimeSpan TimeoutValue { get; set; }
    [JsonIgnore] public TimeSpan MinBackoffValue { get; set; }
    [JsonIgnore] public TimeSpan MaxBackoffValue { get; set; }
}

public sealed class RemoteWriteConfig : EndpointConfig
{
    public RemoteWriteConfig()
    {
        MinBackoff = "30ms";
        MaxBackoff = "5s";
        Timeout = "30s";
    }

    /// <summary>Samples held in memory per endpoint before the oldest are dropped.</summary>
    public int Capacity { get; set; } = 10000;
    [JsonPropertyName("max_samples_per_send")]
    public int MaxSamplesPerSend { get; set; } = 2000;
    /// <summary>"disk": requests kept under data_dir until acknowledged, across restarts; "memory": only capacity samples, lost at stop.</summary>
    public string Buffer { get; set; } = "disk";
    /// <summary>Disk (or fallback memory) the buffer may use; past it the oldest data is dropped.</summary>
    [JsonPropertyName("max_buffer_bytes")]
    public long MaxBufferBytes { get; set; } = 256L * 1024 * 1024;
    /// <summary>Older samples are dropped unsent: receivers refuse them anyway.</summary>
    [JsonPropertyName("max_buffer_age")]
    public string MaxBufferAge { get; set; } = "2h";
    /// <summary>How often buffered data and the acknowledgement ledger are fsynced.</summary>
    [JsonPropertyName("buffer_sync_interval")]
    public string BufferSyncInterval { get; set; } = "1s";
    /// <summary>Requests in flight while catching up on a backlog (sharded by series).</summary>
    [JsonPropertyName("max_shards")]
    public int MaxShards { get; set; } = 4;

    [JsonIgnore] public bool DiskBuffer => Buffer == "disk";
    [JsonIgnore] public TimeSpan MaxBufferAgeValue { get; set; } = TimeSpan.FromHours(2);
    [JsonIgnore] public TimeSpan BufferSyncIntervalValue { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class LokiConfig : EndpointConfig
{
    /// <summary>A batch is sent once it holds this many bytes of log lines...</summary>
    [JsonPropertyName("batch_size")]
    public int BatchSize { get; set; } = 1024 * 1024;
    /// <summary>...or once its oldest line has waited this long.</summary>
    [JsonPropertyName("batch_wait")]
    public string BatchWait { get; set; } = "1s";
    /// <summary>Batches held in memory; when full, tailing pauses (nothing is dropped).</summary>
    [JsonPropertyName("max_pending_batches")]
    public int MaxPendingBatches { get; set; } = 2;

    [JsonIgnore] public TimeSpan BatchWaitValue { get; set; }
}

public sealed class LogsSection : ConfigTable
{
    /// <summary>Files present at the very first start: "end" (default) or "beginning".</summary>
    [JsonPropertyName("read_from")]
    public string ReadFrom { get; set; } = "end";
    /// <summary>Longer lines are cut to this many bytes and marked.</summary>
    [JsonPropertyName("max_line_size")]
    public int MaxLineSize { get; set; } = 256 * 1024;
    /// <summary>A last line without its newline is sent after waiting this long for the rest.</summary>
    [JsonPropertyName("partial_line_timeout")]
    public string PartialLineTimeout { get; set; } = "5s";
    public List<LogFilesConfig> Files { get; set; } = [];

    [JsonIgnore] public TimeSpan PartialLineTimeoutValue { get; set; } = TimeSpan.FromSeconds(5);
    public DockerLogsSection Docker { get; set; } = new();
    public JournalLogsSection Journal { get; set; } = new();
}

/// <summary>What every log source shares: its own labels, where a first start begins, and line processing.</summary>
public abstract class LogSourceConfig : ConfigTable
{
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Overrides [logs] read_from for this source; empty inherits it.</summary>
    [JsonPropertyName("read_from")]
    public string ReadFrom { get; set; } = "";
    /// <summary>Adds a `level` label from JSON level/lvl/severity or logfmt level=.</summary>
    [JsonPropertyName("extract_level")]
    public bool ExtractLevel { get; set; }
    /// <summary>Lines matching any of these regular expressions are not sent.</summary>
    public List<string> Drop { get; set; } = [];

    [JsonIgnore] public List<System.Text.RegularExpressions.Regex> DropRegexes { get; set; } = [];
}

public sealed class LogFilesConfig : LogSourceConfig
{
    public List<string> Paths { get; set; } = [];
    public List<string> Exclude { get; set; } = [];
    /// <summary>Joins continuation lines (stack traces) to the line that started them.</summary>
    public MultilineConfig? Multiline { get; set; }
}

public sealed class MultilineConfig : ConfigTable
{
    /// <summary>A line matching this starts a new entry; others are appended to the current one.</summary>
    [JsonPropertyName("start_pattern")]
    public string StartPattern { get; set; } = "";
    [JsonPropertyName("max_lines")]
    public int MaxLines { get; set; } = 500;
    /// <summary>An entry is sent when no line has joined it for this long.</summary>
    [JsonPropertyName("max_wait")]
    public string MaxWait { get; set; } = "3s";

    [JsonIgnore] public System.Text.RegularExpressions.Regex? StartRegex { get; set; }
    [JsonIgnore] public TimeSpan MaxWaitValue { get; set; } = TimeSpan.FromSeconds(3);
}

/// <summary>[logs.docker]: every running container's stdout and stderr through the engine's API.</summary>
public sealed class DockerLogsSection : LogSourceConfig
{
    public bool Enabled { get; set; } = true;
}

/// <summary>[logs.journal]: the systemd journal, read through libsystemd, resumed by cursor.</summary>
public sealed class JournalLogsSection : LogSourceConfig
{
    public bool Enabled { get; set; }
    /// <summary>A directory of journal files; empty is the system journal (/var/log/journal and /run/log/journal).</summary>
    public string Path { get; set; } = "";
    /// <summary>FIELD=VALUE terms as journalctl takes them ("+" between alternatives); none reads every entry.</summary>
    public List<string> Matches { get; set; } = [];
    /// <summary>Nothing older is read: where a first start with read_from "beginning", or a lost cursor, begins.</summary>
    [JsonPropertyName("max_age")]
    public string MaxAge { get; set; } = "7h";

    [JsonIgnore] public TimeSpan MaxAgeValue { get; set; } = TimeSpan.FromHours(7);
}

public sealed class HostSection : ConfigTable
{
    public bool Enabled { get; set; } = true;
    /// <summary>Collectors to run besides the default ones (node_exporter's --collector.X).</summary>
    public List<string> Enable { get; set; } = [];
    /// <summary>Default collectors not to run (node_exporter's --no-collector.X).</summary>
    public List<string> Disable { get; set; } = [];
    /// <summary>Directory of *.prom files for the textfile collector; empty disables reading.</summary>
    [JsonPropertyName("textfile_dir")]
    public string TextfileDir { get; set; } = "";
    [JsonPropertyName("diskstats_device_exclude")]
    public string DiskstatsDeviceExclude { get; set; } = Collectors.Host.DiskstatsCollector.DefaultDeviceExclude;
    [JsonPropertyName("filesystem_mount_points_exclude")]
    public string FilesystemMountPointsExclude { get; set; } = Collectors.Host.FilesystemCollector.DefaultMountPointsExclude;
    [JsonPropertyName("filesystem_fs_types_exclude")]
    public string FilesystemFsTypesExclude { get; set; } = Collectors.Host.FilesystemCollector.DefaultFsTypesExclude;
    /// <summary>How long statfs on a network filesystem may take before the mount is marked device_error.</summary>
    [JsonPropertyName("filesystem_timeout")]
    public string FilesystemTimeout { get; set; } = "5s";
    /// <summary>Devices the netdev collector leaves out (Debian's node_exporter default: loopback).</summary>
    [JsonPropertyName("netdev_device_exclude")]
    public string NetdevDeviceExclude { get; set; } = Collectors.Host.NetdevCollector.DefaultDeviceExclude;
    [JsonPropertyName("netclass_ignored_devices")]
    public string NetclassIgnoredDevices { get; set; } = Collectors.Host.NetclassCollector.DefaultIgnoredDevices;

    [JsonIgnore] public TimeSpan FilesystemTimeoutValue { get; set; } = TimeSpan.FromSeconds(5);
    [JsonPropertyName("proc_path")]
    public string ProcPath { get; set; } = "/proc";
    [JsonPropertyName("sys_path")]
    public string SysPath { get; set; } = "/sys";
    [JsonPropertyName("root_path")]
    public string RootPath { get; set; } = "/";
}

public sealed class ProcessSection : ConfigTable
{
    public bool Enabled { get; set; } = true;
    /// <summary>namedprocess_namegroup_thread_* per thread name (process-exporter's -threads).</summary>
    public bool Threads { get; set; } = true;
    /// <summary>proportionalResident/proportionalSwapped from smaps_rollup (-gather-smaps); costs a read per process.</summary>
    public bool Smaps { get; set; }
    /// <summary>Re-match unmatched processes every cycle (-recheck) instead of once per process.</summary>
    public bool Recheck { get; set; }
    /// <summary>Unmatched children of a tracked process join its group (-children).</summary>
    public bool Children { get; set; } = true;
    /// <summary>process-exporter's process_names; empty means every process with a command line, by comm.</summary>
    public List<ProcessGroupConfig> Groups { get; set; } = [];

    [JsonIgnore] public List<Collectors.Process.GroupMatcher> Matchers { get; set; } = [];
}

public sealed class ProcessGroupConfig : ConfigTable
{
    /// <summary>Name template; empty is process-exporter's default {{.ExeBase}}.</summary>
    public string Name { get; set; } = "";
    public List<string> Comm { get; set; } = [];
    public List<string> Exe { get; set; } = [];
    public List<string> Cmdline { get; set; } = [];
}

public sealed class ContainersSection : ConfigTable
{
    public bool Enabled { get; set; } = true;
    /// <summary>Docker Engine API endpoint: unix://, tcp://, http:// or npipe://.</summary>
    [JsonPropertyName("docker_host")]
    public string DockerHost { get; set; } = Collectors.Containers.ContainersCollector.DefaultDockerHost;
    /// <summary>Where the host's /sys/fs/cgroup is; empty discovers the mounts from mountinfo under [host] sys_path.</summary>
    [JsonPropertyName("cgroup_root")]
    public string CgroupRoot { get; set; } = "";
    /// <summary>Docker labels copied to series as container_label_&lt;name&gt;; any other label (and every env var) is left out.</summary>
    [JsonPropertyName("docker_labels")]
    public List<string> DockerLabels { get; set; } = [.. Collectors.Containers.ContainerLabelAllowList.Default];

    [JsonIgnore] public Uri DockerHostValue { get; set; } = new(Collectors.Containers.ContainersCollector.DefaultDockerHost);
}
