using System.Globalization;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Drills.Etcd;

namespace MaintenanceActors.Drills.Refusal;

/// <summary>
/// Issues 4/5: from "etcd key set to true" to "every resource refuses new work" (the last StopIntake),
/// through watcher, EventStream, supervisor and parallel Enter asks; beside raw watch delivery of the same put.
/// </summary>
internal sealed class PutToRefusalDrill : IDrill
{
    private const int Resources = 4;

    public string Name => "put-to-refusal";

    public string Description => "etcd put true -> all resources stopped intake, beside a raw watch (issues 4/5)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var toggles = settings.Size(200, 30);
        var warmup = settings.Size(20, 5);
        var log = new IntakeLog();
        var resources = Enumerable.Range(1, Resources).Select(n => IntakeProbeResource.Registration($"intake{n}", log)).ToArray();
        await using var rig = await EtcdRig.StartAsync(resources, cancellationToken).ConfigureAwait(false);
        var wait = DrillSettings.EventTimeout;

        var raw = new List<double>(toggles);
        var refusing = new List<double>(toggles);
        for (var i = 0; i < warmup + toggles; i++)
        {
            var allStopped = log.Arm(Resources);
            var (revision, sentAt) = await rig.PutAsync(enabled: true, cancellationToken).ConfigureAwait(false);
            var rawAt = await rig.Raw.WhenArrived(revision, "the raw watch").ConfigureAwait(false);
            var stoppedAt = await allStopped.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            if (i >= warmup)
            {
                raw.Add(LatencyStats.Ms(sentAt, rawAt));
                refusing.Add(LatencyStats.Ms(sentAt, stoppedAt));
            }
            // Settle both directions so the next put starts from a resting, fully resumed service.
            await WaitForAsync(rig, true, wait, cancellationToken).ConfigureAwait(false);
            await rig.PutAsync(enabled: false, cancellationToken).ConfigureAwait(false);
            await WaitForAsync(rig, false, wait, cancellationToken).ConfigureAwait(false);
        }

        var rawStats = new LatencyStats(raw);
        var refusingStats = new LatencyStats(refusing);
        var table = new MarkdownTable("path (put true -> ...)", "samples", "p50 ms", "p99 ms", "max ms", "mean ms");
        Row(table, "raw etcd watch delivers the event", rawStats);
        Row(table, $"all {Resources} resources refusing (last StopIntake)", refusingStats);

        var limit = 1.5 * rawStats.P99 + 2;
        return new DrillReport(Name, table,
            [new TargetCheck("refusing p99 ≤ 1.5 × raw p99 + 2 ms", $"{LatencyStats.Format(refusingStats.P99)} ms vs limit {LatencyStats.Format(limit)} ms", refusingStats.P99 <= limit)],
            [$"{toggles} toggles (after {warmup} warm-up toggles); each put true is timed from just before it was sent, and the service is fully back in service before the next one."]);
    }

    private static async Task WaitForAsync(EtcdRig rig, bool enabled, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!await rig.Coordinator.WaitForMaintenanceModeAsync(enabled, wait, cancellationToken).ConfigureAwait(false))
        {
            throw new TimeoutException($"Maintenance {(enabled ? "on" : "off")} was not applied within {wait.TotalSeconds} s");
        }
    }

    private static void Row(MarkdownTable table, string path, LatencyStats stats) =>
        table.Add(path, stats.Count.ToString(CultureInfo.InvariantCulture),
            LatencyStats.Format(stats.P50), LatencyStats.Format(stats.P99), LatencyStats.Format(stats.Max), LatencyStats.Format(stats.Mean));
}
