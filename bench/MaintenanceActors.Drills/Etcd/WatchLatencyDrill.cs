using MaintenanceActors.Drills.Core;

namespace MaintenanceActors.Drills.Etcd;

/// <summary>
/// Issue 3: how much later than a bare etcd watch does the EtcdWatcher actor publish a state change?
/// Sequential puts alternate true/false so each one is a change; both observers are timed from the same put.
/// </summary>
internal sealed class WatchLatencyDrill : IDrill
{
    public string Name => "watch-latency";

    public string Description => "etcd put -> MaintenanceStateChanged on the EventStream, beside a raw watch (issue 3)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var puts = settings.Size(1_000, 100);
        var warmup = settings.Size(100, 20);
        await using var rig = await EtcdRig.StartAsync([], cancellationToken).ConfigureAwait(false);

        var raw = new List<double>(puts);
        var actor = new List<double>(puts);
        var extra = new List<double>(puts);
        for (var i = 0; i < warmup + puts; i++)
        {
            var (revision, sentAt) = await rig.PutAsync(enabled: i % 2 == 0, cancellationToken).ConfigureAwait(false);
            var rawAt = await rig.Raw.WhenArrived(revision, "the raw watch").ConfigureAwait(false);
            var publishedAt = await rig.Published.WhenArrived(revision, "the EtcdWatcher").ConfigureAwait(false);
            if (i < warmup)
            {
                continue;
            }
            raw.Add(LatencyStats.Ms(sentAt, rawAt));
            actor.Add(LatencyStats.Ms(sentAt, publishedAt));
            extra.Add(LatencyStats.Ms(rawAt, publishedAt));
        }

        var rawStats = new LatencyStats(raw);
        var actorStats = new LatencyStats(actor);
        var extraStats = new LatencyStats(extra);
        var table = new MarkdownTable("path (put -> seen)", "samples", "p50 ms", "p99 ms", "max ms", "mean ms");
        Row(table, "raw etcd watch (dotnet-etcd Watch stream)", rawStats);
        Row(table, "EtcdWatcher -> EventStream subscriber", actorStats);
        Row(table, "difference per put (actor - raw)", extraStats);

        var limit = rawStats.P99 + 0.5;
        return new DrillReport(Name, table,
            [new TargetCheck("actor p99 ≤ raw p99 + 0.5 ms", $"{LatencyStats.Format(actorStats.P99)} ms vs limit {LatencyStats.Format(limit)} ms", actorStats.P99 <= limit)],
            [$"{puts} sequential puts (after {warmup} warm-up puts) alternating true/false on one key; each timed from just before the put was sent."]);
    }

    private static void Row(MarkdownTable table, string path, LatencyStats stats) =>
        table.Add(path, stats.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            LatencyStats.Format(stats.P50), LatencyStats.Format(stats.P99), LatencyStats.Format(stats.Max), LatencyStats.Format(stats.Mean));
}
