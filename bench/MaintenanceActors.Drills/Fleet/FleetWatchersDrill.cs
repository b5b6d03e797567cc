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
/// production <c>EtcdWatcher</c> (20 of them whole coordinators in their own actor systems); a service-wide toggle is timed from
/// just before the put to each instance seeing it (its watcher's event, or its supervisor starting the transition), beside a raw
/// single watch of the same key in the same run.
/// </summary>
internal sealed class FleetWatchersDrill : IDrill
{
    private const string Service = "fleet-drill";
    private const int InstancesPerClient = 50;
    private const int FullCoordinators = 20;

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
            // The first 20 instances are whole coordinators, each in its own actor system (one coordinator fits a system), with
            // both watchers, a supervisor and status publishing; the rest are the two watchers an instance runs, in one system.
            var full = Math.Min(FullCoordinators, instances / 5);
            var drains = new DrainStarts();
            var coordinators = new List<MaintenanceCoordinator>();
            for (var i = 0; i < full; i++)
            {
                var nodeSystem = DrillSystem.Create($"fleet-node-{i}");
                owned.Add(nodeSystem);
                var coordinator = new MaintenanceCoordinator(nodeSystem);
                coordinator.UseEtcd(new EtcdSourceOptions { Endpoints = [etcd.Endpoint], Key = key }, etcd.CreateClient(), ownsClient: true);
                coordinator.UseFleet(new FleetOptions { Service = Service, InstanceId = $"i{i:0000}" });
                EventTap.Start(nodeSystem, "drain-tap", (message, stamp) =>
                {
                    if (message is MaintenanceTransitionStarted started)
                    {
                        drains.Record(started.Enabled, stamp);
                    }
                }, typeof(MaintenanceTransitionStarted));
                coordinator.Start();
                owned.Add(coordinator);
                coordinators.Add(coordinator);
            }
            for (var i = full; i < instances; i++)
            {
                var client = clients[i / InstancesPerClient];
                var id = $"i{i:0000}";
                var service = new EtcdSourceOptions { Endpoints = [etcd.Endpoint], Key = key, SourceName = $"{id}-service" };
                var own = service.ForKey(FleetKeys.InstanceKey(Service, id), $"{id}-instance");
                system.System.ActorOf(Props.Create(() => new EtcdWatcher(service, new EtcdClientBackend(client, service), null, null)), service.SourceName);
                system.System.ActorOf(Props.Create(() => new EtcdWatcher(own, new EtcdClientBackend(client, own), null, null)), own.SourceName);
            }
            var watchers = instances - full;
            await seen.WhenAll(initial, watchers, "every instance's first read").ConfigureAwait(false);
            foreach (var coordinator in coordinators)
            {
                var deadline = Stopwatch.StartNew();
                while (!(await coordinator.GetStatusAsync(cancellationToken).ConfigureAwait(false)).Votes.Any(v => v.Key == key))
                {
                    if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                    {
                        throw new TimeoutException("a coordinator did not read the service key within 60 s");
                    }
                    await Task.Delay(10, cancellationToken).ConfigureAwait(false);
                }
            }
            var startup = started.Elapsed;

            await using var raw = await StartRawAsync(etcd, key, cancellationToken).ConfigureAwait(false);
            var fleet = new List<double>(instances * toggles);
            var watcherLatencies = new List<double>(watchers * toggles);
            var coordinatorLatencies = new List<double>(full * toggles);
            var lastInstance = new List<double>(toggles);
            var baseline = new List<double>(toggles);
            for (var t = 0; t < warmup + toggles; t++)
            {
                var enabled = t % 2 == 0;
                var expected = drains.Expect(enabled, full);
                var (revision, sentAt) = await TimedPut.PutAsync(writer, key, enabled, cancellationToken).ConfigureAwait(false);
                var stamps = await seen.WhenAll(revision, watchers, $"toggle {t + 1}").ConfigureAwait(false);
                var drainStamps = await expected.WaitAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
                var rawAt = await raw.Arrivals.WhenArrived(revision, "the raw watch").ConfigureAwait(false);
                if (t < warmup)
                {
                    continue;
                }
                var all = stamps.Concat(drainStamps).ToArray();
                watcherLatencies.AddRange(stamps.Select(s => LatencyStats.Ms(sentAt, s)));
                coordinatorLatencies.AddRange(drainStamps.Select(s => LatencyStats.Ms(sentAt, s)));
                fleet.AddRange(all.Select(s => LatencyStats.Ms(sentAt, s)));
                lastInstance.Add(LatencyStats.Ms(sentAt, all.Max()));
                baseline.Add(LatencyStats.Ms(sentAt, rawAt));
            }

            var fleetStats = new LatencyStats(fleet);
            var lastStats = new LatencyStats(lastInstance);
            var rawStats = new LatencyStats(baseline);
            var table = new MarkdownTable("path (put -> seen)", "samples", "p50 ms", "p99 ms", "max ms", "mean ms");
            Row(table, "raw etcd watch, one stream (baseline)", rawStats);
            Row(table, $"{watchers} instances' service-key EtcdWatcher -> EventStream", new LatencyStats(watcherLatencies));
            Row(table, $"{full} full coordinators: put -> supervisor starts the transition", new LatencyStats(coordinatorLatencies));
            Row(table, $"all {instances} instances", fleetStats);
            Row(table, $"last of the {instances} instances, per toggle", lastStats);
            return new DrillReport(Name, table,
                [new TargetCheck("p99 put -> instance in maintenance ≤ 500 ms", $"{LatencyStats.Format(fleetStats.P99)} ms", fleetStats.P99 <= 500)],
                [
                    $"{instances} instances × 2 watches (service-wide key and own instance key) = {instances * 2} watch streams on one etcd 3.4. " +
                    $"{full} instances are whole coordinators (own actor system and connection each, status publishing on), timed to the supervisor's " +
                    $"MaintenanceTransitionStarted; the other {watchers} run the two watchers an instance runs, in one actor system over " +
                    $"{clients.Count} client connections, timed to the service-key watcher's event. {toggles} service-wide toggles (true/false alternating, after {warmup} warm-up toggles), each timed from " +
                    $"just before the put. All watchers read and watching after {startup.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s.",
                    "For the other instances the supervisor's step from the watcher's event to \"in maintenance\" is left out; watch-latency and put-to-refusal measure it (sub-millisecond).",
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

    /// <summary>When each full coordinator's supervisor started the transition of the current toggle.</summary>
    private sealed class DrainStarts
    {
        private readonly object _gate = new();
        private List<long> _stamps = new();
        private bool _enabled;
        private int _count;
        private TaskCompletionSource<IReadOnlyList<long>> _done = new();

        public Task<IReadOnlyList<long>> Expect(bool enabled, int count)
        {
            lock (_gate)
            {
                _stamps = new List<long>();
                _enabled = enabled;
                _count = count;
                _done = new TaskCompletionSource<IReadOnlyList<long>>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (count == 0) _done.TrySetResult(Array.Empty<long>());
                return _done.Task;
            }
        }

        public void Record(bool enabled, long stamp)
        {
            lock (_gate)
            {
                if (enabled != _enabled || _stamps.Count >= _count) return;
                _stamps.Add(stamp);
                if (_stamps.Count == _count) _done.TrySetResult(_stamps.ToArray());
            }
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
