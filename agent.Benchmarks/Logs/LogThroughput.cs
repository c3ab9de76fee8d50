using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Agent.Protos.Loki;
using Snappier;

namespace Agent.Benchmarks.Logs;

/// <summary>
/// Whole-process log throughput: the published agent tails a file of N pre-written lines into
/// a receiver in this process that decodes every push and answers 204. Measures wall time
/// until the last line is acknowledged, the agent's CPU seconds (/proc/pid/stat) and peak RSS.
/// Usage: dotnet run -c Release --project agent.Benchmarks -- throughput AGENT_BINARY [LINE_BYTES] [LINES]
/// The agent runs as started by hand: its gen0 budget is the one compiled into the binary unless
/// DOTNET_GCGen0MaxBudget in this environment overrides it; AGENT_BENCH_LOKI adds lines to its [[loki]] table.
/// </summary>
public static class LogThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var binary = Path.GetFullPath(args[1]);
        var lineBytes = args.Length > 2 ? int.Parse(args[2]) : 100;
        var lines = args.Length > 3 ? int.Parse(args[3]) : 1_000_000;
        var dir = Directory.CreateTempSubdirectory("agent-throughput-").FullName;
        try
        {
            var log = Path.Combine(dir, "bench.log");
            await using (var writer = new StreamWriter(log))
            {
                var padding = new string('x', Math.Max(0, lineBytes - 12));
                for (var i = 0; i < lines; i++) await writer.WriteAsync($"{i:D10} {padding}\n");
            }
            var bytes = new FileInfo(log).Length;

            var port = FreePort();
            using var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            long received = 0;
            var receiver = Task.Run(async () =>
            {
                while (listener.IsListening)
                {
                    HttpListenerContext context;
                    try { context = await listener.GetContextAsync(); }
                    catch (Exception) { return; }
                    using var body = new MemoryStream();
                    await context.Request.InputStream.CopyToAsync(body);
                    var compressed = body.ToArray();
                    var raw = new byte[Snappy.GetUncompressedLength(compressed)];
                    Snappy.Decompress(compressed, raw);
                    var count = 0;
                    foreach (var stream in PushRequest.Parser.ParseFrom(raw).Streams) count += stream.Entries.Count;
                    Interlocked.Add(ref received, count);
                    context.Response.StatusCode = 204;
                    context.Response.Close();
                }
            });

            var config = Path.Combine(dir, "agent.toml");
            await File.WriteAllTextAsync(config, $"""
                [agent]
                interval = "1h"
                data_dir = "{dir}/data"
                [http]
                listen = ""
                [host]
                enabled = false
                [[loki]]
                url = "http://127.0.0.1:{port}/loki/api/v1/push"
                {Environment.GetEnvironmentVariable("AGENT_BENCH_LOKI") ?? ""}
                [logs]
                read_from = "beginning"
                [logs.docker]
                enabled = false
                [[logs.files]]
                paths = ["{log}"]
                """);
            var clock = Stopwatch.StartNew();
            var start = new ProcessStartInfo(binary, ["run", "--config", config]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var agent = Process.Start(start)!;
            agent.OutputDataReceived += (_, _) => { };
            agent.ErrorDataReceived += (_, _) => { };
            agent.BeginOutputReadLine();
            agent.BeginErrorReadLine();
            while (Interlocked.Read(ref received) < lines && clock.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(20);
            var wall = clock.Elapsed.TotalSeconds;
            var (cpu, peakKib) = CpuAndPeak(agent.Id);
            agent.Kill();
            listener.Stop();
            var mib = bytes / 1024.0 / 1024.0;
            Console.WriteLine($"line_bytes {lineBytes} lines {lines} received {Interlocked.Read(ref received)} wall_s {wall:F2} agent_cpu_s {cpu:F2} " +
                $"lines_per_s {lines / wall:F0} mib_per_s {mib / wall:F1} mib_per_cpu_s {mib / cpu:F1} peak_rss_mib {peakKib / 1024.0:F1} " +
                $"gen0_budget {Environment.GetEnvironmentVariable("DOTNET_GCGen0MaxBudget") ?? "compiled in"}");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (double CpuSeconds, long PeakKib) CpuAndPeak(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
        var peak = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return (ticks / 100.0, long.Parse(peak));
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
