using BenchmarkDotNet.Running;

// dotnet run -c Release --project test/Sluice.Benchmarks -- --filter '*'   (add --job short for a quick run)
BenchmarkSwitcher.FromAssembly(typeof(Sluice.Benchmarks.CommandParsingBenchmarks).Assembly).Run(args);
