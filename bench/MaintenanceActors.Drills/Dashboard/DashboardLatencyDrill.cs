using System.Diagnostics;
using System.Globalization;
using MaintenanceActors.Dashboard;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Drills.Etcd;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Drills.Dashboard;

/// <summary>
/// Issue 13, item 6: an instance status put in etcd reaches every open dashboard page (its server-sent event stream) how long after
/// the put? Timed from just before the write, beside a raw etcd watch of the same key in the same run; a second part writes with the
/// etcdctl command itself, as an operator would.
/// </summary>
internal sealed class DashboardLatencyDrill : IDrill
{
    private const string Key = "/maintenance-status/drill/drill-1";

    public string Name => "dashboard-latency";

    public string Description => "etcd put of a status key -> change event at 20 open dashboard pages, beside a raw watch (issue 13)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var puts = settings.Size(500, 50);
        var warmup = settings.Size(50, 10);
        var etcdctlPuts = settings.Size(50, 5);
        const int pages = 20;

        await using var etcd = await EtcdServer.StartAsync().ConfigureAwait(false);
        using var writerClient = etcd.CreateClient();
        var writer = new EtcdTestWriter(writerClient);
        using var rawClient = etcd.CreateClient();
        var raw = new Arrivals();
        await using var rawWatch = await RawWatch.StartAsync(rawClient, Key, raw, cancellationToken).ConfigureAwait(false);
        await using var dashboard = await MaintenanceDashboard.StartAsync(new DashboardOptions
        {
            Endpoints = [etcd.Endpoint],
            Port = FreePort.Get(),
            AuthToken = "drill-token-0123456789abcdef",
            Output = TextWriter.Null,
        }, cancellationToken).ConfigureAwait(false);
        var clients = new List<SseClient>();
        try
        {
            for (var i = 0; i < pages; i++)
            {
                clients.Add(await SseClient.OpenAsync(dashboard.Url, cancellationToken).ConfigureAwait(false));
            }

            var rawMs = new List<double>(puts);
            var firstPageMs = new List<double>(puts);
            var lastPageMs = new List<double>(puts);
            for (var i = 0; i < warmup + puts; i++)
            {
                var sentAt = Stopwatch.GetTimestamp();
                var revision = await writer.PutAsync(Key, Status(i), cancellationToken).ConfigureAwait(false);
                var rawAt = await raw.WhenArrived(revision, "the raw watch").ConfigureAwait(false);
                var arrivals = await Task.WhenAll(clients.Select(c => c.Changes.WhenArrived(revision, "a dashboard page"))).ConfigureAwait(false);
                if (i < warmup)
                {
                    continue;
                }
                rawMs.Add(LatencyStats.Ms(sentAt, rawAt));
                firstPageMs.Add(LatencyStats.Ms(sentAt, arrivals.Min()));
                lastPageMs.Add(LatencyStats.Ms(sentAt, arrivals.Max()));
            }

            var etcdctlMs = new List<double>(etcdctlPuts);
            var etcdctlRawMs = new List<double>(etcdctlPuts);
            for (var i = 0; i < etcdctlPuts; i++)
            {
                // The whole operator path: etcdctl starts, connects, puts; the revision is read back from the page's event.
                var before = await writer.PutAsync("/maintenance-status/drill/marker", "{}", cancellationToken).ConfigureAwait(false);
                var sentAt = Stopwatch.GetTimestamp();
                await etcd.EtcdCtlAsync("put", Key, Status(i)).ConfigureAwait(false);
                var revision = before + 1;
                var rawAt = await raw.WhenArrived(revision, "the raw watch").ConfigureAwait(false);
                var arrivals = await Task.WhenAll(clients.Select(c => c.Changes.WhenArrived(revision, "a dashboard page"))).ConfigureAwait(false);
                foreach (var client in clients)
                {
                    await client.Changes.WhenArrived(before, "a dashboard page").ConfigureAwait(false);
                }
                etcdctlRawMs.Add(LatencyStats.Ms(sentAt, rawAt));
                etcdctlMs.Add(LatencyStats.Ms(sentAt, arrivals.Max()));
            }

            var rawStats = new LatencyStats(rawMs);
            var firstStats = new LatencyStats(firstPageMs);
            var lastStats = new LatencyStats(lastPageMs);
            var etcdctlStats = new LatencyStats(etcdctlMs);
            var etcdctlRawStats = new LatencyStats(etcdctlRawMs);
            var table = new MarkdownTable("path (put -> seen)", "samples", "p50 ms", "p99 ms", "max ms", "mean ms");
            Row(table, "raw etcd watch of the key (baseline)", rawStats);
            Row(table, $"dashboard event stream, first of {pages} pages", firstStats);
            Row(table, $"dashboard event stream, last of {pages} pages", lastStats);
            Row(table, "etcdctl put (process start) -> raw watch (baseline)", etcdctlRawStats);
            Row(table, $"etcdctl put (process start) -> last of {pages} pages", etcdctlStats);
            return new DrillReport(Name, table,
            [
                new TargetCheck("etcdctl put -> every page p99 ≤ 1000 ms", $"{LatencyStats.Format(etcdctlStats.P99)} ms", etcdctlStats.P99 <= 1000),
                new TargetCheck("client put -> every page p99 ≤ raw watch p99 + 10 ms",
                    $"{LatencyStats.Format(lastStats.P99)} ms vs limit {LatencyStats.Format(rawStats.P99 + 10)} ms", lastStats.P99 <= rawStats.P99 + 10),
            ],
            [
                $"{puts} sequential status puts (after {warmup} warm-up puts) alternating draining/drained on one status key, each timed from just before the put; " +
                $"{pages} event streams open on one dashboard (one etcd watch); {etcdctlPuts} more puts through the etcdctl command.",
            ]);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static string Status(int i) =>
        $$"""{"service":"drill","instance":"drill-1","phase":"{{(i % 2 == 0 ? "draining" : "drained")}}","inMaintenance":true,"inFlight":{{i % 7}},"updatedAt":"{{DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)}}"}""";

    private static void Row(MarkdownTable table, string path, LatencyStats stats) =>
        table.Add(path, stats.Count.ToString(CultureInfo.InvariantCulture),
            LatencyStats.Format(stats.P50), LatencyStats.Format(stats.P99), LatencyStats.Format(stats.Max), LatencyStats.Format(stats.Mean));
}
