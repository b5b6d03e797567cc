using MaintenanceActors.Drills.Akka;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Drills.Dashboard;
using MaintenanceActors.Drills.Db;
using MaintenanceActors.Drills.Drain;
using MaintenanceActors.Drills.Etcd;
using MaintenanceActors.Drills.Fleet;
using MaintenanceActors.Drills.Failover;
using MaintenanceActors.Drills.Http;
using MaintenanceActors.Drills.Kafka;
using MaintenanceActors.Drills.Refusal;
using MaintenanceActors.Drills.Shutdown;
using MaintenanceActors.Drills.Sqs;

// dotnet run -c Release --project bench/MaintenanceActors.Drills -- <drill|all> [--quick]
IDrill[] drills =
[
    new WatchLatencyDrill(),
    new ParallelDrainDrill(),
    new PutToRefusalDrill(),
    new HttpOverheadDrill(),
    new AskLatencyDrill(),
    new SigtermDrill(),
    new DbGateOverheadDrill(),
    new DbEnterToZeroDrill(),
    new SqsThroughputDrill(),
    new SqsEnterDrill(),
    new SqsTogglesDrill(),
    new DashboardLatencyDrill(),
    new FleetWatchersDrill(),
    new FleetRollDrill(),
    new FailoverMaintenanceDrill(),
    new KafkaThroughputDrill(),
    new KafkaPauseLatencyDrill(),
    new KafkaNoLossDrill(),
];

var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
var settings = new DrillSettings(Quick: args.Contains("--quick"));
if (names.Length == 0)
{
    Usage();
    return 2;
}
var selected = names.Contains("all") ? drills : drills.Where(d => names.Contains(d.Name)).ToArray();
var unknown = names.Where(n => n != "all" && drills.All(d => d.Name != n)).ToArray();
if (unknown.Length > 0)
{
    Console.Error.WriteLine($"Unknown drill(s): {string.Join(", ", unknown)}");
    Usage();
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var failed = 0;
foreach (var drill in selected)
{
    Console.Error.WriteLine($"running {drill.Name}{(settings.Quick ? " (quick)" : "")} ...");
    try
    {
        var report = await drill.RunAsync(settings, cancel.Token);
        Console.WriteLine(report.Render());
    }
    catch (Exception ex)
    {
        failed++;
        Console.WriteLine($"### {drill.Name}\n\nCOULD NOT RUN: {ex.GetType().Name}: {ex.Message}\n");
        Console.Error.WriteLine(ex);
    }
}
return failed == 0 ? 0 : 1;

void Usage()
{
    Console.Error.WriteLine("usage: MaintenanceActors.Drills <drill...|all> [--quick]");
    foreach (var drill in drills)
    {
        Console.Error.WriteLine($"  {drill.Name,-16} {drill.Description}");
    }
}
