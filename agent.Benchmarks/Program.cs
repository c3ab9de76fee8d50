using BenchmarkDotNet.Running;

// dotnet run -c Release --project agent.Benchmarks -- --filter '*'                  (BenchmarkDotNet)
// dotnet run -c Release --project agent.Benchmarks -- throughput AGENT [BYTES] [N]  (whole-process log throughput)
// dotnet run -c Release --project agent.Benchmarks -- throughput-journal AGENT DIR N (the same, from a journal directory)
// Figures and the commands that made them: docs/benchmarks.md.
if (args.Length > 1 && args[0] == "throughput") return await Agent.Benchmarks.Logs.LogThroughput.RunAsync(args);
if (args.Length > 3 && args[0] == "throughput-journal") return await Agent.Benchmarks.Logs.LogThroughput.RunJournalAsync(args);
BenchmarkSwitcher.FromAssembly(typeof(Agent.Benchmarks.Collectors.Host.HostCycleBenchmarks).Assembly).Run(args);
return 0;
