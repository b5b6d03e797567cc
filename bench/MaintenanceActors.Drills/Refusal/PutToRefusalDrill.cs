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
            await WaitForAsync(rig.Coordinator, true, wait, cancellationToken).ConfigureAwait(false);
            await rig.PutAsync(enabled: false, cancellationToken).ConfigureAwait(false);
            await WaitForAsync(rig.Coordinator, false, wait, cancellationToken).ConfigureAwait(false);
        }

        var (httpRaw, http) = await MeasureHttpAsync(toggles, warmup, cancellationToken).ConfigureAwait(false);

        var rawStats = new LatencyStats(raw);
        var refusingStats = new LatencyStats(refusing);
        var httpRawStats = new LatencyStats(httpRaw);
        var httpStats = new LatencyStats(http);
        var table = new MarkdownTable("path (put true -> ...)", "samples", "p50 ms", "p99 ms", "max ms", "mean ms");
        Row(table, "A. raw etcd watch delivers the event", rawStats);
        Row(table, $"A. all {Resources} probe resources refusing (last StopIntake)", refusingStats);
        Row(table, "B. raw etcd watch delivers the event", httpRawStats);
        Row(table, "B. Kestrel app: first 503 received by a polling client", httpStats);

        var limit = rawStats.P99 + 0.5;
        var httpLimit = httpRawStats.P99 + 1;
        return new DrillReport(Name, table,
            [
                new TargetCheck("A. all resources refusing p99 ≤ raw p99 + 0.5 ms", $"{LatencyStats.Format(refusingStats.P99)} ms vs limit {LatencyStats.Format(limit)} ms", refusingStats.P99 <= limit),
                new TargetCheck("B. first 503 p99 ≤ raw p99 + 1 ms", $"{LatencyStats.Format(httpStats.P99)} ms vs limit {LatencyStats.Format(httpLimit)} ms", httpStats.P99 <= httpLimit),
            ],
            [$"{toggles} toggles per setup (after {warmup} warm-up toggles); each put true is timed from just before it was sent, and the service is fully back in service before the next one. "
             + $"A: coordinator with {Resources} probe resources that stamp StopIntake. "
             + "B: a Kestrel app with AddMaintenance(m => m.UseEtcd(...).AddHttpDrain()) + UseMaintenance(); a client sends GET / back to back from just before the put until one gets 503 (the time includes that request's round trip)."]);
    }

    private static async Task<(List<double> Raw, List<double> FirstRefusal)> MeasureHttpAsync(int toggles, int warmup, CancellationToken cancellationToken)
    {
        await using var rig = await HttpRefusalRig.StartAsync(cancellationToken).ConfigureAwait(false);
        var wait = DrillSettings.EventTimeout;
        var raw = new List<double>(toggles);
        var refused = new List<double>(toggles);
        for (var i = 0; i < warmup + toggles; i++)
        {
            await rig.ExpectServedAsync(cancellationToken).ConfigureAwait(false);
            var put = rig.PutAsync(enabled: true, cancellationToken);
            var refusedAt = await rig.PollUntilRefusedAsync(cancellationToken).ConfigureAwait(false);
            var (revision, sentAt) = await put.ConfigureAwait(false);
            var rawAt = await rig.Raw.WhenArrived(revision, "the raw watch").ConfigureAwait(false);
            if (i >= warmup)
            {
                raw.Add(LatencyStats.Ms(sentAt, rawAt));
                refused.Add(LatencyStats.Ms(sentAt, refusedAt));
            }
            await WaitForAsync(rig.Maintenance, true, wait, cancellationToken).ConfigureAwait(false);
            await rig.PutAsync(enabled: false, cancellationToken).ConfigureAwait(false);
            await WaitForAsync(rig.Maintenance, false, wait, cancellationToken).ConfigureAwait(false);
        }
        return (raw, refused);
    }

    private static async Task WaitForAsync(IMaintenance maintenance, bool enabled, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!await maintenance.WaitForMaintenanceModeAsync(enabled, wait, cancellationToken).ConfigureAwait(false))
        {
            throw new TimeoutException($"Maintenance {(enabled ? "on" : "off")} was not applied within {wait.TotalSeconds} s");
        }
    }

    private static void Row(MarkdownTable table, string path, LatencyStats stats) =>
        table.Add(path, stats.Count.ToString(CultureInfo.InvariantCulture),
            LatencyStats.Format(stats.P50), LatencyStats.Format(stats.P99), LatencyStats.Format(stats.Max), LatencyStats.Format(stats.Mean));
}
