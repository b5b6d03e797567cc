using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/MaintenanceActors.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
