using BenchmarkDotNet.Running;

// dotnet run -c Release --project test/Sluice.Sieve.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Sluice.Sieve.Benchmarks.SieveBenchmarks).Assembly).Run(args);
