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
/// (and throughput-journal, below, for the journal source)
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
            var mib = new FileInfo(log).Length / 1024.0 / 1024.0;
            var (wall, cpu, peakKib, _, _, received, budget) = await MeasureAsync(binary, dir, lines, $"[[logs.files]]\npaths = [\"{log}\"]");
            Console.WriteLine($"line_bytes {lineBytes} lines {lines} received {received} wall_s {wall:F2} agent_cpu_s {cpu:F2} " +
                $"lines_per_s {lines / wall:F0} mib_per_s {mib / wall:F1} mib_per_cpu_s {mib / cpu:F1} peak_rss_mib {peakKib / 1024.0:F1} " +
                $"gen0_budget {budget}");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// The journal source on a directory of journal files holding <c>ENTRIES</c> entries (bench/journal-throughput.sh writes them).
    /// Usage: dotnet run -c Release --project agent.Benchmarks -- throughput-journal AGENT_BINARY JOURNAL_DIR ENTRIES
    /// </summary>
    public static async Task<int> RunJournalAsync(string[] args)
    {
        var binary = Path.GetFullPath(args[1]);
        var journal = Path.GetFullPath(args[2]);
        var entries = int.Parse(args[3]);
        var dir = Directory.CreateTempSubdirectory("agent-throughput-").FullName;
        try
        {
            var (wall, cpu, peakKib, anonKib, fileKib, received, budget) = await MeasureAsync(binary, dir, entries,
                $"[logs.journal]\nenabled = true\npath = \"{journal}\"\nread_from = \"beginning\"\nmax_age = \"4w\"");
            Console.WriteLine($"journal entries {entries} received {received} wall_s {wall:F2} agent_cpu_s {cpu:F2} " +
                $"entries_per_s {entries / wall:F0} entries_per_cpu_s {entries / cpu:F0} peak_rss_mib {peakKib / 1024.0:F1} " +
                $"peak_rss_anon_mib {anonKib / 1024.0:F1} peak_rss_file_mib {fileKib / 1024.0:F1} gen0_budget {budget}");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Runs the agent with <paramref name="source"/> until the receiver has <paramref name="expected"/> entries.</summary>
    private static async Task<(double Wall, double Cpu, long PeakKib, long AnonKib, long FileKib, long Received, string Budget)> MeasureAsync(string binary, string dir, int expected, string source)
    {
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
            {source}
            """);
        var clock = Stopwatch.StartNew();
        var start = new ProcessStartInfo(binary, ["run", "--config", config]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var agent = Process.Start(start)!;
        agent.OutputDataReceived += (_, _) => { };
        agent.ErrorDataReceived += (_, _) => { };
        agent.BeginOutputReadLine();
        agent.BeginErrorReadLine();
        long anonKib = 0, fileKib = 0;
        while (Interlocked.Read(ref received) < expected && clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(20);
            // VmHWM counts mapped file pages too (the journal's mmap windows): sampled apart, the process's own memory is RssAnon.
            var (anon, file) = AnonAndFile(agent.Id);
            anonKib = Math.Max(anonKib, anon);
            fileKib = Math.Max(fileKib, file);
        }
        var wall = clock.Elapsed.TotalSeconds;
        var (cpu, peakKib) = CpuAndPeak(agent.Id);
        agent.Kill();
        listener.Stop();
        return (wall, cpu, peakKib, anonKib, fileKib, Interlocked.Read(ref received), Environment.GetEnvironmentVariable("DOTNET_GCGen0MaxBudget") ?? "compiled in");
    }

    private static (double CpuSeconds, long PeakKib) CpuAndPeak(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
        var peak = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return (ticks / 100.0, long.Parse(peak));
    }

    private static (long AnonKib, long FileKib) AnonAndFile(int pid)
    {
        long anon = 0, file = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("RssAnon:")) anon = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
                else if (line.StartsWith("RssFile:")) file = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
            }
        }
        catch (IOException)
        {
        }
        return (anon, file);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
