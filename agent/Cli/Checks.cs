using System.Diagnostics;
using Agent.Collectors;
using Agent.Config;
using Agent.Exporters.Http;
using Agent.Logs;
using Agent.Telemetry;
using Google.Protobuf;

namespace Agent.Cli;

/// <summary>The individual checks behind `agent check`, each reporting one line per thing it looked at.</summary>
internal static class Checks
{
    public static void DataDir(AgentConfig config, CheckReport report)
    {
        var problem = DataDirProblem(config.Agent.DataDir);
        if (problem is null) report.Pass("data_dir", $"{config.Agent.DataDir} is writable");
        else report.Fail("data_dir", $"{problem} (positions cannot be saved)");
    }

    /// <summary>Null when data_dir exists (or can be made) and takes a file; else one sentence why not.</summary>
    public static string? DataDirProblem(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".check-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = ErrorText.Of(e);
            if (why.StartsWith(dir + ": ", StringComparison.Ordinal)) why = why[(dir.Length + 2)..];
            return $"data_dir {dir} is not a writable directory: {why}";
        }
    }

    /// <summary>Each disk buffer's depth and oldest sample: a node that cannot reach its monitor shows it here.</summary>
    public static void Buffers(AgentConfig config, CheckReport report)
    {
        for (var i = 0; i < config.RemoteWrite.Count; i++)
        {
            var rw = config.RemoteWrite[i];
            var what = $"remote_write[{i}].buffer";
            if (!rw.DiskBuffer)
            {
                report.Pass(what, $"memory ({rw.Capacity} samples, lost at stop)");
                continue;
            }
            var dir = Exporters.RemoteWrite.RemoteWriteExporter.BufferDirectory(config.Agent.DataDir, rw);
            try
            {
                var summary = Exporters.RemoteWrite.Buffer.BufferSummary.Read(dir);
                if (summary.Records == 0)
                {
                    report.Pass(what, $"{dir}: empty");
                    continue;
                }
                var age = TimeSpan.FromMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - summary.OldestTimestampMs);
                var line = $"{dir}: {summary.Records} requests ({summary.Samples} samples, {summary.Bytes / 1024.0 / 1024.0:F1} MiB of {rw.MaxBufferBytes / 1024.0 / 1024.0:F0} MiB) waiting, oldest {age.TotalSeconds:F0} s old";
                if (age > rw.MaxBufferAgeValue / 2) report.Warn(what, line + $" (max_buffer_age {rw.MaxBufferAge}: is the endpoint reachable?)");
                else report.Pass(what, line);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                report.Fail(what, $"{dir}: {ErrorText.Of(e)}");
            }
        }
    }

    public static void Collectors(AgentConfig config, IReadOnlyList<CollectorRunner> runners, CheckReport report)
    {
        if (!config.Host.Enabled) report.Warn("host", "disabled in config");
        if (!config.Process.Enabled) report.Warn("process", "disabled in config");
        foreach (var runner in runners)
        {
            var start = Stopwatch.GetTimestamp();
            var batch = runner.Collect(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var success = batch.Families.FirstOrDefault(f => f.Name == "agent_scrape_collector_success");
            foreach (var collector in runner.Collectors)
            {
                var ok = success?.Samples.FirstOrDefault(s => s.Labels[0].Value == collector.Name).Value == 1;
                if (ok) report.Pass($"{runner.Job}.{collector.Name}", "collected");
                else report.Fail($"{runner.Job}.{collector.Name}", "collector failed (see `agent run` log)");
            }
            report.Pass(runner.Job, $"{batch.Families.Count} families, {batch.SampleCount} series in {elapsed:F1} ms");
        }
        if (config.Host.Enabled && runners.All(r => r.Job != "node" || r.Collectors.Count == 0))
        {
            report.Warn("host", $"no host collector available on {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
        }
    }

    /// <summary>Lists the engine's containers the way `agent run` will; a refused or missing socket fails here, not at 3 a.m.</summary>
    public static async Task DockerAsync(AgentConfig config, Docker.ContainerTracker tracker, CheckReport report, CancellationToken ct)
    {
        var endpoint = config.Containers.DockerHost;
        tracker.Start();
        var timeout = Task.Delay(TimeSpan.FromSeconds(5), ct);
        if (await Task.WhenAny(tracker.FirstSync, timeout) == tracker.FirstSync)
        {
            var all = tracker.All();
            report.Pass("docker", $"{endpoint}: engine {tracker.Engine}, {all.Count} container(s), {tracker.Running().Count} running");
            return;
        }
        report.Fail("docker", $"{endpoint}: {tracker.LastError ?? "no answer within 5 s"} (container metrics and logs need the engine: is dockerd running, "
            + "and may the agent's user open the socket, e.g. as a member of group docker? [containers] enabled = false turns metrics off, "
            + "[logs.docker] enabled = false logs)");
    }

    /// <summary>
    /// Walks each glob the way `agent run` does and opens what it would tail. A special file
    /// (refused on purpose) is a warning; an unreadable file or directory loses logs, a failure.
    /// Each is one sentence, the first few by name.
    /// </summary>
    public static void LogFiles(AgentConfig config, CheckReport report, CancellationToken ct)
    {
        const int Named = 10;
        if (config.Loki.Count == 0 && config.Logs.Files.Count > 0)
        {
            report.Warn("logs.files", "configured but no [[loki]] endpoint: logs are not collected");
        }
        for (var i = 0; i < config.Logs.Files.Count; i++)
        {
            var files = config.Logs.Files[i];
            foreach (var pattern in files.Paths)
            {
                var what = $"logs.files[{i}]";
                var scan = new FileGlob(pattern, files.Exclude).Scan(ct);
                var skipped = scan.Skipped;
                var readable = 0;
                foreach (var (file, _) in scan.Files)
                {
                    if (RegularFile.TryOpen(file, out var stream, out var refused))
                    {
                        stream.Dispose();
                        readable++;
                    }
                    else
                    {
                        skipped.Add(refused);
                    }
                }
                if (readable == 0 && skipped.Count == 0) report.Warn(what, $"{pattern}: no file matches yet (new files are picked up when they appear)");
                else if (readable > 0) report.Pass(what, $"{pattern}: {readable} file(s) readable");
                for (var n = 0; n < skipped.Count && n < Named; n++)
                {
                    var sentence = $"{pattern}: {skipped[n].Sentence}";
                    if (skipped[n].Reason is SkipReason.UnreadableDirectory or SkipReason.UnreadableFile) report.Fail(what, sentence);
                    else report.Warn(what, sentence);
                }
                if (skipped.Count <= Named) continue;
                var more = $"{pattern}: and {skipped.Count - Named} more path(s) not tailed (`agent run` logs each once)";
                if (skipped.Skip(Named).Any(s => s.Reason is SkipReason.UnreadableDirectory or SkipReason.UnreadableFile)) report.Fail(what, more);
                else report.Warn(what, more);
            }
        }
    }

    /// <summary>
    /// An empty write is a real request through auth and tenant headers that stores nothing,
    /// so a PASS means the agent's own pushes will be accepted, not merely that a port is open.
    /// </summary>
    public static async Task EndpointsAsync(AgentConfig config, CheckReport report, CancellationToken ct)
    {
        var probes = new List<Task<(string What, string? Failure, string Detail)>>();
        for (var i = 0; i < config.RemoteWrite.Count; i++)
        {
            var body = Snappier.Snappy.CompressToArray(new Protos.Prometheus.WriteRequest().ToByteArray());
            probes.Add(ProbeAsync($"remote_write[{i}]", config.RemoteWrite[i], body, remoteWrite: true, ct));
        }
        for (var i = 0; i < config.Loki.Count; i++)
        {
            var body = Snappier.Snappy.CompressToArray(new Protos.Loki.PushRequest().ToByteArray());
            probes.Add(ProbeAsync($"loki[{i}]", config.Loki[i], body, remoteWrite: false, ct));
        }
        foreach (var (what, failure, detail) in await Task.WhenAll(probes))
        {
            if (failure is null) report.Pass(what, detail);
            else report.Fail(what, $"{detail}: {failure}");
        }
        if (config.RemoteWrite.Count == 0) report.Warn("remote_write", "none configured: metrics are only served on /metrics (pull mode)");
        if (config.Loki.Count == 0) report.Warn("loki", "none configured: logs are not collected");
    }

    private static async Task<(string, string?, string)> ProbeAsync(string what, EndpointConfig endpoint, byte[] body, bool remoteWrite, CancellationToken ct)
    {
        var url = EndpointUrl.Display(endpoint.UrlValue);
        EndpointClient client;
        try
        {
            client = new EndpointClient(endpoint);
        }
        catch (Tls.TlsFileException e)
        {
            return (what, e.Message, url);
        }
        using var _ = client;
        using var content = remoteWrite ? Exporters.RemoteWrite.RemoteWriteExporter.Content(body) : Exporters.Loki.LokiExporter.Content(body);
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.PostAsync(content, ct, remoteWrite ? Exporters.RemoteWrite.RemoteWriteExporter.RemoteWriteHeaders : null);
            var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var detail = $"{url}: HTTP {(int)response.StatusCode} in {ms:F0} ms";
            if (response.IsSuccessStatusCode) return (what, null, detail);
            var text = await EndpointClient.ReadErrorBodyAsync(response, ct);
            // Loki 3 answers an empty push with 422 "at least one valid stream is required" —
            // after auth and tenant checks, so the endpoint and credentials are fine.
            if (!remoteWrite && (int)response.StatusCode == 422 && text.Contains("stream", StringComparison.OrdinalIgnoreCase))
            {
                return (what, null, detail + " (empty push refused as expected)");
            }
            var reason = (int)response.StatusCode switch
            {
                401 or 403 => "credentials rejected",
                404 => "wrong path (remote-write is usually /api/v1/write, Loki /loki/api/v1/push; Prometheus needs --web.enable-remote-write-receiver)",
                _ => text.Length > 200 ? text[..200] : text.Trim(),
            };
            return (what, reason, detail);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return (what, e is TaskCanceledException ? $"no answer within {endpoint.Timeout}" : ErrorText.Of(e), url);
        }
    }

    /// <summary>What is unsafe about each endpoint's transport (insecure_skip_verify, credentials over plain http), one WARN each.</summary>
    public static void Transport(AgentConfig config, CheckReport report)
    {
        for (var i = 0; i < config.RemoteWrite.Count; i++)
        {
            foreach (var warning in EndpointClient.Warnings(config.RemoteWrite[i])) report.Warn($"remote_write[{i}]", warning);
        }
        for (var i = 0; i < config.Loki.Count; i++)
        {
            foreach (var warning in EndpointClient.Warnings(config.Loki[i])) report.Warn($"loki[{i}]", warning);
        }
    }

    /// <summary>How /metrics is served: the web config's TLS and users, or a warning when it listens beyond loopback in the clear.</summary>
    public static void WebConfig(AgentConfig config, CheckReport report)
    {
        if (config.Http.Listen.Length == 0 || !Serving.MetricsServer.TryParseListen(config.Http.Listen, out var endpoint)) return;
        if (config.Http.WebConfigFile.Length == 0)
        {
            if (!System.Net.IPAddress.IsLoopback(endpoint.Address))
            {
                report.Warn("http", $"{config.Http.Listen}: /metrics is served in the clear to the network without authentication (set web_config_file)");
            }
            return;
        }
        try
        {
            var web = Serving.Web.WebConfig.Load(config.Http.WebConfigFile);
            var tls = web.Tls is { } t
                ? $"TLS (certificate {t.Certificate.Subject}, {Tls.PemFiles.Validity(t.Certificate)}; client_auth_type {t.ClientAuth})"
                : "no TLS";
            var users = web.Users.Count == 0 ? "no basic auth" : $"basic auth for {web.Users.Count} user(s)";
            report.Pass("http.web_config_file", $"{config.Http.WebConfigFile}: {tls}, {users}");
        }
        catch (Serving.Web.WebConfigException e)
        {
            foreach (var problem in e.Problems) report.Fail("http.web_config_file", problem);
        }
    }
}
