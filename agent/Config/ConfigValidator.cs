using Agent.Exporters.Http;

namespace Agent.Config;

/// <summary>
/// Checks every value of a deserialized config, expands ${VAR}s and fills the parsed members.
/// Collects all problems before failing; each names file, line, column (from the source map)
/// and the key's dotted path.
/// </summary>
internal sealed partial class ConfigValidator(string file, ConfigSourceMap map, Func<string, string?> environment, string baseDirectory)
{
    /// <summary>Headers the exporters own; letting users override them would break the wire protocol.</summary>
    private static readonly string[] ReservedHeaders =
        ["Content-Type", "Content-Encoding", "Content-Length", "X-Prometheus-Remote-Write-Version", "Host"];

    /// <summary>Labels the agent sets itself from [agent] and per source.</summary>
    private static readonly string[] ReservedLabels = ["host", "environment", "instance", "job"];

    private readonly List<string> _problems = [];

    public void Validate(AgentConfig config)
    {
        Unknown(config, "");
        ValidateAgent(config.Agent);
        ValidateLabels(config.Labels, "labels", reservedToo: true);
        ValidateHttp(config.Http);
        for (var i = 0; i < config.RemoteWrite.Count; i++)
        {
            var rw = config.RemoteWrite[i];
            var at = $"remote_write[{i}]";
            ValidateEndpoint(rw, at);
            CountIn(rw.Capacity, at + ".capacity", 1, 10_000_000, "samples");
            CountIn(rw.MaxSamplesPerSend, at + ".max_samples_per_send", 1, 100_000, "samples");
            ValidateBuffer(rw, at);
        }
        for (var i = 0; i < config.Loki.Count; i++)
        {
            var loki = config.Loki[i];
            var at = $"loki[{i}]";
            ValidateEndpoint(loki, at);
            CountIn(loki.BatchSize, at + ".batch_size", 1, 64 * Mi, "bytes");
            CountIn(loki.MaxPendingBatches, at + ".max_pending_batches", 1, 1000, "batches");
            loki.BatchWait = Expand(loki.BatchWait, at + ".batch_wait");
            loki.BatchWaitValue = DurationIn(loki.BatchWait, at + ".batch_wait", Ms(10), Minutes(10));
        }
        ValidateLogs(config.Logs);
        ValidateHost(config.Host);
        ValidateProcess(config.Process);
        ValidateContainers(config.Containers);
        ValidateScrape(config);
        if (_problems.Count > 0) throw new ConfigException(_problems);
    }

    private void ValidateAgent(AgentSection agent)
    {
        Unknown(agent, "agent");
        agent.Hostname = Expand(agent.Hostname, "agent.hostname");
        if (agent.Hostname.Length == 0) agent.Hostname = System.Net.Dns.GetHostName();
        agent.Environment = Expand(agent.Environment, "agent.environment");
        if (agent.Environment.Length == 0) Problem("agent.environment", "must not be empty");
        agent.Interval = Expand(agent.Interval, "agent.interval");
        agent.IntervalValue = DurationIn(agent.Interval, "agent.interval", Ms(100), Minutes(60));
        agent.ShutdownTimeout = Expand(agent.ShutdownTimeout, "agent.shutdown_timeout");
        agent.ShutdownTimeoutValue = DurationIn(agent.ShutdownTimeout, "agent.shutdown_timeout", TimeSpan.Zero, Minutes(10));
        agent.StallTimeout = Expand(agent.StallTimeout, "agent.stall_timeout");
        agent.StallTimeoutValue = DurationIn(agent.StallTimeout, "agent.stall_timeout", TimeSpan.FromSeconds(1), TimeSpan.FromHours(24));
        agent.DataDir = Expand(agent.DataDir, "agent.data_dir");
        if (agent.DataDir.Length == 0) Problem("agent.data_dir", "must not be empty");
        else agent.DataDir = Resolve(agent.DataDir);
    }

    private void ValidateBuffer(RemoteWriteConfig rw, string at)
    {
        rw.Buffer = Expand(rw.Buffer, at + ".buffer");
        if (rw.Buffer is not ("disk" or "memory")) Problem(at + ".buffer", $"\"{rw.Buffer}\" is not \"disk\" or \"memory\"");
        CountIn(rw.MaxBufferBytes, at + ".max_buffer_bytes", Mi, 1024L * 1024 * Mi, "bytes");
        rw.MaxBufferAge = Expand(rw.MaxBufferAge, at + ".max_buffer_age");
        rw.MaxBufferAgeValue = DurationIn(rw.MaxBufferAge, at + ".max_buffer_age", TimeSpan.FromSeconds(1), TimeSpan.FromDays(7));
        rw.BufferSyncInterval = Expand(rw.BufferSyncInterval, at + ".buffer_sync_interval");
        rw.BufferSyncIntervalValue = DurationIn(rw.BufferSyncInterval, at + ".buffer_sync_interval", Ms(10), Minutes(10));
        CountIn(rw.MaxShards, at + ".max_shards", 1, 64, "shards");
    }

    private void ValidateHttp(HttpSection http)
    {
        Unknown(http, "http");
        http.Listen = Expand(http.Listen, "http.listen");
        if (http.Listen.Length == 0) return;
        if (!Serving.MetricsServer.TryParseListen(http.Listen, out _))
        {
            Problem("http.listen", $"\"{http.Listen}\" is not ip:port (like \"127.0.0.1:9101\" or \":9101\"; \"\" disables the listener)");
        }
        ValidateWebConfig(http);
    }

    private void ValidateEndpoint(EndpointConfig endpoint, string at)
    {
        Unknown(endpoint, at);
        endpoint.Url = Expand(endpoint.Url, at + ".url");
        Uri? uri = null;
        if (endpoint.Url.Length == 0)
        {
            Problem(at + ".url", "is required");
        }
        else if (!Uri.TryCreate(endpoint.Url, UriKind.Absolute, out uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            Problem(at + ".url", $"\"{EndpointUrl.Redact(endpoint.Url)}\" is not an absolute http(s) URL");
            uri = null;
        }
        endpoint.Timeout = Expand(endpoint.Timeout, at + ".timeout");
        endpoint.TimeoutValue = DurationIn(endpoint.Timeout, at + ".timeout", Ms(1), Minutes(10));
        endpoint.MinBackoff = Expand(endpoint.MinBackoff, at + ".min_backoff");
        endpoint.MinBackoffValue = DurationIn(endpoint.MinBackoff, at + ".min_backoff", Ms(1), Minutes(60));
        endpoint.MaxBackoff = Expand(endpoint.MaxBackoff, at + ".max_backoff");
        endpoint.MaxBackoffValue = DurationIn(endpoint.MaxBackoff, at + ".max_backoff", Ms(1), Minutes(60));
        if (endpoint.MaxBackoffValue < endpoint.MinBackoffValue)
        {
            Problem(at + ".max_backoff", $"must not be below min_backoff ({endpoint.MinBackoff})");
        }

        var expanded = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in endpoint.Headers)
        {
            var key = $"{at}.headers.{name}";
            if (!HeaderText.IsName(name))
            {
                Problem(key, "is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)");
            }
            else if (Array.Exists(ReservedHeaders, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase)))
            {
                Problem(key, "is set by the agent and cannot be overridden");
            }
            expanded[name] = HeaderValue(value, key);
        }
        endpoint.Headers = expanded;

        endpoint.BearerToken = HeaderValue(endpoint.BearerToken, at + ".bearer_token");
        endpoint.BearerTokenFile = PathValue(endpoint.BearerTokenFile, at + ".bearer_token_file");
        endpoint.TenantId = HeaderValue(endpoint.TenantId, at + ".tenant_id");
        if (endpoint.BearerToken.Length > 0 && endpoint.BearerTokenFile.Length > 0)
        {
            Problem(at + ".bearer_token_file", "set either bearer_token or bearer_token_file, not both");
        }
        if (endpoint.BasicAuth is { } basic)
        {
            var b = at + ".basic_auth";
            Unknown(basic, b);
            basic.Username = HeaderValue(basic.Username, b + ".username");
            basic.Password = HeaderValue(basic.Password, b + ".password");
            if (basic.Username.Contains(':')) Problem(b + ".username", "must not contain ':' (basic auth joins user and password with it)");
            basic.PasswordFile = PathValue(basic.PasswordFile, b + ".password_file");
            if (basic.Username.Length == 0) Problem(b + ".username", "is required with basic_auth");
            if (basic.Password.Length > 0 && basic.PasswordFile.Length > 0)
            {
                Problem(b + ".password_file", "set either password or password_file, not both");
            }
            if (endpoint.BearerToken.Length > 0 || endpoint.BearerTokenFile.Length > 0)
            {
                Problem(b, "basic_auth and bearer_token(_file) are mutually exclusive");
            }
            if (endpoint.Headers.ContainsKey("Authorization"))
            {
                Problem(b, "basic_auth and an Authorization header are mutually exclusive");
            }
        }
        if (uri is not null) UrlCredentials(endpoint, uri, at);
        ValidateTransport(endpoint, at, uri);
    }

    /// <summary>
    /// http://user:secret@host/ is how many users write basic auth: it becomes basic_auth, and the
    /// URL kept (and printed by check and in errors) is the one without it.
    /// </summary>
    private void UrlCredentials(EndpointConfig endpoint, Uri uri, string at)
    {
        endpoint.UrlValue = EndpointUrl.WithoutUserInfo(uri);
        if (uri.UserInfo.Length == 0) return;
        endpoint.Url = endpoint.UrlValue.AbsoluteUri;
        if (endpoint.BasicAuth is not null || endpoint.BearerToken.Length > 0 || endpoint.BearerTokenFile.Length > 0 || endpoint.Headers.ContainsKey("Authorization"))
        {
            Problem(at + ".url", "carries user:password and basic_auth, bearer_token or an Authorization header is set too: keep one");
            return;
        }
        var colon = uri.UserInfo.IndexOf(':');
        var user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
        var password = colon < 0 ? "" : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        if (!HeaderText.IsValue(user) || !HeaderText.IsValue(password) || user.Contains(':'))
        {
            Problem(at + ".url", "user:password in the URL holds a line break, a control character or a ':' in the user name");
            return;
        }
        endpoint.BasicAuth = new BasicAuthConfig { Username = user, Password = password };
    }

    /// <summary>A value that goes into a request header: a line break in it (from ${VAR}) would start a header of its own.</summary>
    private string HeaderValue(string value, string key)
    {
        var expanded = Expand(value, key);
        if (!HeaderText.IsValue(expanded))
        {
            Problem(key, "must not contain a line break or control character (it is sent as an HTTP header)");
            return "";
        }
        return expanded;
    }

    private void ValidateLogs(LogsSection logs)
    {
        Unknown(logs, "logs");
        Unknown(logs.Docker, "logs.docker");
        ValidateSource(logs.Docker, "logs.docker");
        ValidateJournal(logs.Journal);
        if (logs.ReadFrom is not ("end" or "beginning")) Problem("logs.read_from", $"\"{logs.ReadFrom}\" must be \"end\" or \"beginning\"");
        CountIn(logs.MaxLineSize, "logs.max_line_size", 1024, 16 * Mi, "bytes");
        logs.PartialLineTimeout = Expand(logs.PartialLineTimeout, "logs.partial_line_timeout");
        logs.PartialLineTimeoutValue = DurationIn(logs.PartialLineTimeout, "logs.partial_line_timeout", Ms(10), Minutes(60));
        for (var i = 0; i < logs.Files.Count; i++)
        {
            var files = logs.Files[i];
            var at = $"logs.files[{i}]";
            Unknown(files, at);
            if (files.Paths.Count == 0) Problem(at + ".paths", "needs at least one glob");
            for (var p = 0; p < files.Paths.Count; p++)
            {
                files.Paths[p] = PathValue(files.Paths[p], $"{at}.paths");
                if (files.Paths[p].Length == 0) Problem($"{at}.paths", "contains an empty path");
            }
            for (var p = 0; p < files.Exclude.Count; p++)
            {
                files.Exclude[p] = PathValue(files.Exclude[p], $"{at}.exclude");
            }
            ValidateSource(files, at);
            if (files.Multiline is { } multiline)
            {
                var m = at + ".multiline";
                Unknown(multiline, m);
                if (multiline.StartPattern.Length == 0) Problem(m + ".start_pattern", "is required");
                else
                {
                    try
                    {
                        multiline.StartRegex = new System.Text.RegularExpressions.Regex(multiline.StartPattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant);
                    }
                    catch (ArgumentException e)
                    {
                        Problem(m + ".start_pattern", $"invalid regular expression: {Telemetry.ErrorText.Of(e)}");
                    }
                }
                CountIn(multiline.MaxLines, m + ".max_lines", 1, 100_000, "lines");
                multiline.MaxWait = Expand(multiline.MaxWait, m + ".max_wait");
                multiline.MaxWaitValue = DurationIn(multiline.MaxWait, m + ".max_wait", Ms(10), Minutes(60));
            }
        }
    }

    /// <summary>The keys every log source shares ([[logs.files]] entries, [logs.docker]).</summary>
    private void ValidateSource(LogSourceConfig source, string at)
    {
        ValidateLabels(source.Labels, at + ".labels", reservedToo: false);
        if (source.Labels.ContainsKey("level") && source.ExtractLevel) Problem(at + ".labels.level", "conflicts with extract_level = true");
        if (source.ReadFrom is not ("" or "end" or "beginning")) Problem(at + ".read_from", $"\"{source.ReadFrom}\" must be \"end\" or \"beginning\"");
        source.DropRegexes.Clear();
        foreach (var pattern in source.Drop)
        {
            try
            {
                source.DropRegexes.Add(new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant));
            }
            catch (ArgumentException e)
            {
                Problem(at + ".drop", $"invalid regular expression \"{pattern}\": {Telemetry.ErrorText.Of(e)}");
            }
        }
    }

    private void ValidateHost(HostSection host)
    {
        Unknown(host, "host");
        host.ProcPath = PathValue(host.ProcPath, "host.proc_path");
        host.SysPath = PathValue(host.SysPath, "host.sys_path");
        host.RootPath = PathValue(host.RootPath, "host.root_path");
        host.TextfileDir = PathValue(host.TextfileDir, "host.textfile_dir");
        host.FilesystemTimeout = Expand(host.FilesystemTimeout, "host.filesystem_timeout");
        host.FilesystemTimeoutValue = DurationIn(host.FilesystemTimeout, "host.filesystem_timeout", Ms(10), Minutes(10));
        host.DiskstatsDeviceExclude = RegexValue(host.DiskstatsDeviceExclude, "host.diskstats_device_exclude");
        host.FilesystemMountPointsExclude = RegexValue(host.FilesystemMountPointsExclude, "host.filesystem_mount_points_exclude");
        host.FilesystemFsTypesExclude = RegexValue(host.FilesystemFsTypesExclude, "host.filesystem_fs_types_exclude");
        host.NetdevDeviceExclude = RegexValue(host.NetdevDeviceExclude, "host.netdev_device_exclude");
        host.NetclassIgnoredDevices = RegexValue(host.NetclassIgnoredDevices, "host.netclass_ignored_devices");
        foreach (var (list, key) in new[] { (host.Enable, "host.enable"), (host.Disable, "host.disable") })
        {
            foreach (var name in list)
            {
                if (!Collectors.Host.HostCollectors.All.Any(d => d.Name == name))
                {
                    Problem(key, $"unknown collector \"{name}\" (known: {string.Join(", ", Collectors.Host.HostCollectors.All.Select(d => d.Name))})");
                }
            }
        }
    }

    private static readonly string[] DockerHostSchemes = ["unix", "tcp", "http", "npipe"];

    private void ValidateContainers(ContainersSection containers)
    {
        Unknown(containers, "containers");
        containers.DockerHost = Expand(containers.DockerHost, "containers.docker_host");
        if (!Uri.TryCreate(containers.DockerHost, UriKind.Absolute, out var uri) || Array.IndexOf(DockerHostSchemes, uri.Scheme) < 0)
        {
            Problem("containers.docker_host", $"\"{containers.DockerHost}\" is not a unix://, tcp://, http:// or npipe:// address");
        }
        else
        {
            containers.DockerHostValue = uri;
        }
        containers.CgroupRoot = PathValue(containers.CgroupRoot, "containers.cgroup_root");
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < containers.DockerLabels.Count; i++)
        {
            var label = containers.DockerLabels[i] = Expand(containers.DockerLabels[i], "containers.docker_labels");
            if (label.Length == 0)
            {
                Problem("containers.docker_labels", "contains an empty label name");
                continue;
            }
            // Two Docker labels that sanitise alike would write one series label twice.
            var name = Collectors.Containers.ContainerLabelAllowList.SeriesLabelName(label);
            if (seen.TryGetValue(name, out var other)) Problem("containers.docker_labels", $"\"{label}\" and \"{other}\" both become {name}");
            else seen[name] = label;
        }
    }

    private void ValidateProcess(ProcessSection process)
    {
        Unknown(process, "process");
        process.Matchers.Clear();
        for (var i = 0; i < process.Groups.Count; i++)
        {
            var group = process.Groups[i];
            var at = $"process.groups[{i}]";
            Unknown(group, at);
            try
            {
                process.Matchers.Add(new Collectors.Process.GroupMatcher(group.Name, group.Comm, group.Exe, group.Cmdline));
            }
            catch (Collectors.Process.InvalidGroupException e)
            {
                Problem(e.Key is { } key ? $"{at}.{key}" : at, e.Message);
            }
        }
    }

    private string RegexValue(string pattern, string key)
    {
        var expanded = Expand(pattern, key);
        try
        {
            _ = new System.Text.RegularExpressions.Regex(expanded);
        }
        catch (ArgumentException e)
        {
            Problem(key, $"invalid regular expression: {Telemetry.ErrorText.Of(e)}");
        }
        return expanded;
    }

    /// <summary>
    /// Label names follow Prometheus' rule; host/environment/instance come from [agent] and
    /// must not be shadowed in [labels]. A source's own labels may set job.
    /// </summary>
    private void ValidateLabels(Dictionary<string, string> labels, string at, bool reservedToo)
    {
        var expanded = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in labels)
        {
            var key = $"{at}.{name}";
            if (!IsLabelName(name))
            {
                Problem(key, "label names must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __");
            }
            else if (Array.IndexOf(ReservedLabels, name) >= 0 && (reservedToo || name != "job"))
            {
                Problem(key, $"\"{name}\" is set by the agent ([agent] hostname/environment, job per source)");
            }
            var v = Expand(value, key);
            if (v.Length == 0) Problem(key, "label value must not be empty");
            expanded[name] = v;
        }
        labels.Clear();
        foreach (var (k, v) in expanded) labels[k] = v;
    }

    internal static bool IsLabelName(string name)
    {
        if (name.Length == 0 || name.StartsWith("__", StringComparison.Ordinal) || char.IsAsciiDigit(name[0])) return false;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_') return false;
        }
        return true;
    }

    private const long Mi = 1024 * 1024;

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    private static TimeSpan Minutes(int minutes) => TimeSpan.FromMinutes(minutes);

    /// <summary>
    /// Every count and size has a range: beyond it a value is a typo (an extra zero) or would
    /// exhaust memory, and saying so at load time beats an OutOfMemoryException at 3 a.m.
    /// </summary>
    private void CountIn(long value, string key, long minimum, long maximum, string unit)
    {
        if (value < minimum || value > maximum)
        {
            Problem(key, $"{value} is out of range: allowed {minimum} to {maximum} {unit}");
        }
    }

    /// <summary>
    /// Every duration has a range: timers and HTTP timeouts take at most ~24 days, and a value
    /// far beyond what the key is for ("60d" as interval) would silently collect nothing.
    /// </summary>
    private TimeSpan DurationIn(string text, string key, TimeSpan minimum, TimeSpan maximum)
    {
        if (!Duration.TryParse(text, out var value))
        {
            Problem(key, $"\"{text}\" is not a duration (like \"500ms\", \"15s\", \"1m30s\")");
            return minimum;
        }
        if (value < minimum || value > maximum)
        {
            Problem(key, $"\"{text}\" is out of range: allowed {Duration.Format(minimum)} to {Duration.Format(maximum)}");
            return value < minimum ? minimum : maximum;
        }
        return value;
    }

    /// <summary>Relative paths are relative to the config file, not to the working directory of a service.</summary>
    private string PathValue(string value, string key)
    {
        var expanded = Expand(value, key);
        return expanded.Length == 0 ? expanded : Resolve(expanded);
    }

    private string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));

    private string Expand(string value, string key)
    {
        var expanded = EnvExpander.Expand(value, environment, out var error);
        if (expanded is null)
        {
            Problem(key, error!);
            return "";
        }
        return expanded;
    }

    private void Unknown(ConfigTable table, string at)
    {
        if (table.Unknown is null) return;
        foreach (var name in table.Unknown.Keys)
        {
            var key = at.Length == 0 ? name : $"{at}.{name}";
            Problem(key, "unknown key");
        }
    }

    private void Problem(string key, string message)
    {
        var position = map.Find(key);
        var where = position is { } p ? $"{file}:{p.Line}:{p.Column}" : file;
        _problems.Add($"{where}: {key}: {message}");
    }
}
