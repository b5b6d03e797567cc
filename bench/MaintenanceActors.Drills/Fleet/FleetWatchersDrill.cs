using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using dotnet_etcd;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Drills.Etcd;
using MaintenanceActors.Etcd;
using MaintenanceActors.Fleet;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Drills.Fleet;

/// <summary>
/// Issue 13: a fleet of 1,000 instances on one etcd, each watching the service-wide key and its own instance key with the
/// production <c>EtcdWatcher</c>; a service-wide toggle is timed from just before the put to each instance's watcher publishing
/// the new state, beside a raw single watch of the same key in the same run.
/// </summary>
internal sealed class FleetWatchersDrill : IDrill
{
    private const string Service = "fleet-drill";
    private const int InstancesPerClient = 50;

    public string Name => "fleet-watchers";

    public string Description => "1,000 instances' watchers on one etcd: service-wide toggle -> every instance sees it, beside a raw single watch (issue 13)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var instances = settings.Size(1_000, 100);
        var toggles = settings.Size(20, 3);
        var warmup = settings.Size(3, 1);
        var key = FleetKeys.ServiceKey(Service);
        var owned = new List<IAsyncDisposable>();
        try
        {
            var etcd = await EtcdServer.StartAsync().ConfigureAwait(false);
            owned.Add(etcd);
            var writer = new EtcdTestWriter(etcd.CreateClient());
            owned.Add(writer);
            var initial = await writer.PutAsync(key, "false", cancellationToken).ConfigureAwait(false);

            var seen = new Seen();
            var system = DrillSystem.Create("fleet-drill");
            owned.Add(system);
            EventTap.Start(system, "fleet-tap", (message, stamp) =>
            {
                if (message is MaintenanceStateChanged { Key: var k } changed && k == key)
                {
                    seen.Record(changed.Revision, stamp);
                }
            }, typeof(MaintenanceStateChanged));

            // One HTTP/2 connection per 50 instances: in production each instance has its own; here 2 cores host them all.
            var clients = new List<EtcdClient>();
            for (var i = 0; i < (instances + InstancesPerClient - 1) / InstancesPerClient; i++)
            {
                var client = etcd.CreateClient();
                clients.Add(client);
                owned.Add(new OwnedDisposable(client));
            }
            var started = Stopwatch.StartNew();
            for (var i = 0; i < instances; i++)
            {
                var client = clients[i / InstancesPerClient];
                var id = $"i{i:0000}";
                var service = new EtcdSourceOptions { Endpoints = [etcd.Endpoint], Key = key, SourceName = $"{id}-service" };
                var own = service.ForKey(FleetKeys.InstanceKey(Service, id), $"{id}-instance");
                system.System.ActorOf(Props.Create(() => new EtcdWatcher(service, new EtcdClientBackend(client, service), null, null)), service.SourceName);
                system.System.ActorOf(Props.Create(() => new EtcdWatcher(own, new EtcdClientBackend(client, own), null, null)), own.SourceName);
            }
            await seen.WhenAll(initial, instances, "every instance's first read").ConfigureAwait(false);
            var startup = started.Elapsed;

            await using var raw = await StartRawAsync(etcd, key, cancellationToken).ConfigureAwait(false);
            var fleet = new List<double>(instances * toggles);
            var lastInstance = new List<double>(toggles);
            var baseline = new List<double>(toggles);
            for (var t = 0; t < warmup + toggles; t++)
            {
                var (revision, sentAt) = await TimedPut.PutAsync(writer, key, enabled: t % 2 == 0, cancellationToken).ConfigureAwait(false);
                var stamps = await seen.WhenAll(revision, instances, $"toggle {t + 1}").ConfigureAwait(false);
                var rawAt = await raw.Arrivals.WhenArrived(revision, "the raw watch").ConfigureAwait(false);
                if (t < warmup)
                {
                    continue;
                }
                fleet.AddRange(stamps.Select(s => LatencyStats.Ms(sentAt, s)));
                lastInstance.Add(LatencyStats.Ms(sentAt, stamps.Max()));
                baseline.Add(LatencyStats.Ms(sentAt, rawAt));
            }

            var fleetStats = new LatencyStats(fleet);
            var lastStats = new LatencyStats(lastInstance);
            var rawStats = new LatencyStats(baseline);
            var table = new MarkdownTable("path (put -> seen)", "samples", "p50 ms", "p99 ms", "max ms", "mean ms");
            Row(table, "raw etcd watch, one stream (baseline)", rawStats);
            Row(table, $"each of {instances} instances' EtcdWatcher -> EventStream", fleetStats);
            Row(table, $"last of the {instances} instances, per toggle", lastStats);
            return new DrillReport(Name, table,
                [new TargetCheck("p99 put -> instance in maintenance ≤ 500 ms", $"{LatencyStats.Format(fleetStats.P99)} ms", fleetStats.P99 <= 500)],
                [
                    $"{instances} instances × 2 watches (service-wide key and own instance key) = {instances * 2} watch streams on one etcd 3.4, " +
                    $"{clients.Count} client connections, one actor system; {toggles} service-wide toggles (true/false alternating, after {warmup} warm-up toggles), each timed from " +
                    $"just before the put. All watchers read and watching after {startup.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s.",
                    "The supervisor's own step from a watcher's event to \"in maintenance\" is measured by watch-latency and put-to-refusal (sub-millisecond).",
                ]);
        }
        finally
        {
            for (var i = owned.Count - 1; i >= 0; i--)
            {
                await owned[i].DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<RawRig> StartRawAsync(EtcdServer etcd, string key, CancellationToken cancellationToken)
    {
        var client = etcd.CreateClient();
        var arrivals = new Arrivals();
        var watch = await RawWatch.StartAsync(client, key, arrivals, cancellationToken).ConfigureAwait(false);
        return new RawRig(client, watch, arrivals);
    }

    private static void Row(MarkdownTable table, string path, LatencyStats stats) =>
        table.Add(path, stats.Count.ToString(CultureInfo.InvariantCulture),
            LatencyStats.Format(stats.P50), LatencyStats.Format(stats.P99), LatencyStats.Format(stats.Max), LatencyStats.Format(stats.Mean));

    private sealed class RawRig(EtcdClient client, RawWatch watch, Arrivals arrivals) : IAsyncDisposable
    {
        public Arrivals Arrivals { get; } = arrivals;

        public async ValueTask DisposeAsync()
        {
            await watch.DisposeAsync().ConfigureAwait(false);
            client.Dispose();
        }
    }

    /// <summary>Per revision, when each instance's service-key watcher published it.</summary>
    private sealed class Seen
    {
        private readonly ConcurrentDictionary<long, Slot> _slots = new();

        public void Record(long revision, long stamp) => _slots.GetOrAdd(revision, _ => new Slot()).Add(stamp);

        public async Task<IReadOnlyList<long>> WhenAll(long revision, int count, string what)
        {
            var slot = _slots.GetOrAdd(revision, _ => new Slot());
            slot.Expect(count);
            try
            {
                return await slot.Done.Task.WaitAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"{what}: only {slot.Count} of {count} instances saw revision {revision} within 120 s");
            }
        }

        private sealed class Slot
        {
            private readonly List<long> _stamps = new();
            private int _expected = int.MaxValue;

            public TaskCompletionSource<IReadOnlyList<long>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public int Count
            {
                get { lock (_stamps) return _stamps.Count; }
            }

            public void Add(long stamp)
            {
                lock (_stamps)
                {
                    _stamps.Add(stamp);
                    Check();
                }
            }

            public void Expect(int count)
            {
                lock (_stamps)
                {
                    _expected = count;
                    Check();
                }
            }

            private void Check()
            {
                if (_stamps.Count >= _expected)
                {
                    Done.TrySetResult(_stamps.ToArray());
                }
            }
        }
    }
}
