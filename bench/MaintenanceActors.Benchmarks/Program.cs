using BenchmarkDotNet.Running;
using MaintenanceActors.Benchmarks;

// dotnet run -c Release --project bench/MaintenanceActors.Benchmarks -- --filter '*' --job short --inProcess
// After the run, the targets that these benchmarks decide are checked against the same run's numbers and written
// beside BenchmarkDotNet's own reports (results/targets.md), so scripts/bench.sh can record them with the tables.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Targets).Assembly).Run(args).ToArray();
if (summaries.Length > 0 && summaries.SelectMany(s => s.Reports).Any())
{
    var text = Targets.Render(summaries);
    Console.WriteLine(text);
    File.WriteAllText(Path.Combine(summaries[0].ResultsDirectoryPath, "targets.md"), text);
}
