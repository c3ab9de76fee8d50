using BenchmarkDotNet.Running;

// dotnet run -c Release --project agent.Benchmarks -- --filter '*'   (figures: docs/benchmarks.md)
BenchmarkSwitcher.FromAssembly(typeof(Agent.Benchmarks.Collectors.Host.HostCycleBenchmarks).Assembly).Run(args);
