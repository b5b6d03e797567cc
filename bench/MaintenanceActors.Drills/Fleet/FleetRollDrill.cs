using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using MaintenanceActors.Cli;
using MaintenanceActors.Cli.Output;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Fleet;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Drills.Fleet;

/// <summary>
/// Issue 13: a roll of 20 instances with max-unavailable 2 and drains of 200 ms takes at most 1.2 × the ideal (20 / 2 × one step).
/// Twenty real coordinators (one actor system each, on the fleet contract, publishing status on a lease) and one etcd in this
/// process; maintctl runs through its entry point. One step is measured in the same run: a roll of a single instance, as the roll
/// itself times its step (slot taken → drained → cleared → serving again → slot freed).
/// </summary>
internal sealed class FleetRollDrill : IDrill
{
    private const int Instances = 20;
    private const int MaxUnavailable = 2;
    private static readonly TimeSpan Drain = TimeSpan.FromMilliseconds(200);

    public string Name => "fleet-roll";

    public string Description => "maintctl roll of 20 coordinators, max-unavailable 2, drains of 200 ms: total ÷ (20/2 × one step) (issue 13)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var rounds = settings.Size(5, 1);
        ThreadPool.GetMinThreads(out var worker, out var io);
        ThreadPool.SetMinThreads(Math.Max(worker, 48), io);
        await using var etcd = await EtcdServer.StartAsync().ConfigureAwait(false);
        const string service = "drill";
        var nodes = new List<(DrillSystem System, MaintenanceCoordinator Coordinator)>();
        try
        {
            for (var i = 1; i <= Instances; i++)
            {
                var system = DrillSystem.Create($"fleet-{i}");
                var coordinator = new MaintenanceCoordinator(system);
                coordinator.UseEtcd(new EtcdSourceOptions { Endpoints = [etcd.Endpoint], Key = FleetKeys.ServiceKey(service) }, etcd.CreateClient(), ownsClient: true);
                coordinator.UseFleet(new FleetOptions { Service = service, InstanceId = $"{service}-{i}" });
                coordinator.RegisterResource(new ResourceRegistration("work", () => Props.Create(() => new StepDrainResource(Drain)), new ResourceOptions()));
                coordinator.Start();
                nodes.Add((system, coordinator));
            }
            using (var reader = etcd.CreateClient())
            {
                var ready = await Eventually.HoldsAsync(async () =>
                {
                    var statuses = await reader.GetRangeAsync(FleetKeys.StatusPrefix(service)).ConfigureAwait(false);
                    return statuses.Kvs.Count == Instances && statuses.Kvs.All(kv => kv.Value.ToStringUtf8().Contains("\"phase\":\"serving\"", StringComparison.Ordinal));
                }, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
                if (!ready)
                {
                    throw new InvalidOperationException($"the {Instances} coordinators did not all publish 'serving' within 60 s");
                }
            }
            var endpoint = $"127.0.0.1:{etcd.ClientPort}";

            // Warm-up: first use of every code path in the roll and the coordinators.
            await RollAsync(endpoint, cancellationToken, "roll", service, "-m", "1", "--instances", $"{service}-1").ConfigureAwait(false);

            var table = new MarkdownTable("round", "one step ms (single-instance roll)", "ideal ms (20/2 × step)", "roll of 20 ms (command)",
                "roll's own total ms", "mean step in the roll ms", "ratio (command ÷ ideal)");
            var ratios = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                var single = await RollAsync(endpoint, cancellationToken, "roll", service, "-m", "1", "--instances", $"{service}-{1 + round % Instances}")
                    .ConfigureAwait(false);
                var step = single.Steps.Single();
                var ideal = Instances / (double)MaxUnavailable * step;
                var all = await RollAsync(endpoint, cancellationToken, "roll", service, "--max-unavailable", MaxUnavailable.ToString(CultureInfo.InvariantCulture))
                    .ConfigureAwait(false);
                if (all.Steps.Count != Instances)
                {
                    throw new InvalidOperationException($"round {round}: the roll reported {all.Steps.Count} steps, not {Instances}");
                }
                var ratio = all.CommandMs / ideal;
                ratios.Add(ratio);
                table.Add(round.ToString(CultureInfo.InvariantCulture), LatencyStats.Format(step), LatencyStats.Format(ideal), LatencyStats.Format(all.CommandMs),
                    LatencyStats.Format(all.RollMs), LatencyStats.Format(all.Steps.Average()), LatencyStats.Ratio(ratio));
            }
            table.Add("mean", "", "", "", "", "", LatencyStats.Ratio(ratios.Average()));
            table.Add("max", "", "", "", "", "", LatencyStats.Ratio(ratios.Max()));
            return new DrillReport(Name, table,
                [new TargetCheck("roll of 20 with max-unavailable 2 ≤ 1.2 × (20 / 2 × one step), every round",
                    $"mean {LatencyStats.Ratio(ratios.Average())}, max {LatencyStats.Ratio(ratios.Max())}", ratios.Max() <= 1.2)],
                [$"{rounds} round(s) after a warm-up roll. {Instances} MaintenanceCoordinators in this process (one actor system each, Maintenance:Fleet, status on a lease), "
                 + $"each with one resource whose drain takes {Drain.TotalMilliseconds:0} ms; one etcd 3.4 on 127.0.0.1. "
                 + "One step = the step time a single-instance roll reports in the same round (slot transaction with the instance key → the instance's status says drained → key cleared → status says serving → slot freed). "
                 + "The roll of 20 is timed around the whole command (connect, read, lease, every step, lease revoke), run through maintctl's entry point in this process."]);
        }
        finally
        {
            foreach (var (system, coordinator) in nodes)
            {
                await coordinator.DisposeAsync().ConfigureAwait(false);
                await system.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed record RollTiming(double CommandMs, double RollMs, List<double> Steps);

    private static async Task<RollTiming> RollAsync(string endpoint, CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var io = new CliIo(output, error, name => name == "ETCDCTL_ENDPOINTS" ? endpoint : null, interactive: false);
        var started = Stopwatch.GetTimestamp();
        var code = await Maintctl.RunAsync([.. args, "--output", "json"], io, cancellationToken).ConfigureAwait(false);
        var commandMs = LatencyStats.Ms(started, Stopwatch.GetTimestamp());
        if (code != ExitCodes.Ok)
        {
            throw new InvalidOperationException($"maintctl {string.Join(' ', args)} exited with {code}: {error}");
        }
        var steps = new List<double>();
        double rollMs = 0;
        foreach (var line in output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            var kind = e.GetProperty("event").GetString();
            if (kind == "serving") steps.Add(e.GetProperty("durationMs").GetInt64());
            if (kind == "done") rollMs = e.GetProperty("durationMs").GetInt64();
        }
        return new RollTiming(commandMs, rollMs, steps);
    }

    /// <summary>A resource whose drain takes a set time, as if its last request needed that long.</summary>
    private sealed class StepDrainResource(TimeSpan drain) : DrainableResourceActor
    {
        protected override long InFlight => 0;

        protected override void StopIntake()
        {
        }

        protected override Task WaitForIdleAsync(CancellationToken cancellationToken) => Task.Delay(drain, cancellationToken);

        protected override void ResumeIntake()
        {
        }
    }
}
