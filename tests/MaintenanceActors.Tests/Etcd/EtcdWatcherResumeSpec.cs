using System.Diagnostics;
using System.Runtime.CompilerServices;
using MaintenanceActors.Etcd;
using MaintenanceActors.Testing;
using MaintenanceActors.Tests.Support;

namespace MaintenanceActors.Tests.Etcd;

/// <summary>
/// The watcher on real etcd when its connection is cut while etcd keeps running and changing: each spec is built so a watcher that
/// watches "from now" after reconnecting (or re-reads instead of resuming) fails it.
/// </summary>
public sealed class EtcdWatcherResumeSpec(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string Key = "/maintenance/resume";
    private readonly List<IAsyncDisposable> _cleanup = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var item in Enumerable.Reverse(_cleanup)) await item.DisposeAsync();
    }

    private T Owned<T>(T item) where T : IAsyncDisposable
    {
        _cleanup.Add(item);
        return item;
    }

    private static EtcdSourceOptions WithEndpoint(EtcdSourceOptions options, string endpoint)
    {
        options.Endpoints = [endpoint];
        return options;
    }

    private static EtcdSourceOptions Fast(EtcdSourceOptions options)
    {
        options.Key = Key;
        options.ReconnectMinBackoff = TimeSpan.FromMilliseconds(50);
        options.ReconnectMaxBackoff = TimeSpan.FromMilliseconds(500);
        return options;
    }

    private WatcherHarness StartWatcher(EtcdSourceOptions options, Func<IEtcdWatchBackend, IEtcdWatchBackend>? wrap = null)
    {
        var client = Owned(new EtcdTestWriter(EtcdClientFactory.Create(options)));
        IEtcdWatchBackend backend = new EtcdClientBackend(client.Client, options);
        return Owned(new WatcherHarness(options, wrap is null ? backend : wrap(backend)));
    }

    [Fact]
    public async Task Must_publish_each_change_written_while_cut_off_even_when_the_last_one_reverted_the_first()
    {
        var etcd = Owned(await EtcdServer.StartAsync());
        var proxy = Owned(new TcpProxy(etcd.ClientPort));
        var writer = Owned(new EtcdTestWriter(etcd.CreateClient()));
        var initial = await writer.PutAsync(Key, "off");
        var watcher = StartWatcher(Fast(WithEndpoint(etcd.CreateSourceOptions(), proxy.Endpoint)));
        (await watcher.NextStateAsync()).Should().BeEquivalentTo(new { Enabled = false, Revision = initial });
        await watcher.HealthWhereAsync(h => h.Connected);

        proxy.Cut();
        await watcher.HealthWhereAsync(h => !h.Connected && h.LastError is not null);
        // Nothing can reach etcd through the proxy now: both writes happen while the watcher is certainly away.
        var on = await writer.PutAsync(Key, "on");
        var off = await writer.PutAsync(Key, "off");
        proxy.Restore();

        // "Watch from now" would publish nothing (the value is back to what it was); a re-read would publish only the last write.
        var states = await watcher.StatesThroughAsync(off);
        states.Select(s => (s.Enabled, s.Revision, s.IsResync)).Should().Equal((true, on, false), (false, off, false));
        await watcher.HealthWhereAsync(h => h.Connected);
    }

    [Fact]
    public async Task Must_resync_to_the_current_value_when_what_was_written_while_cut_off_was_compacted()
    {
        var etcd = Owned(await EtcdServer.StartAsync());
        var proxy = Owned(new TcpProxy(etcd.ClientPort));
        var writer = Owned(new EtcdTestWriter(etcd.CreateClient()));
        var initial = await writer.PutAsync(Key, "off");
        var watcher = StartWatcher(Fast(WithEndpoint(etcd.CreateSourceOptions(), proxy.Endpoint)));
        (await watcher.NextStateAsync()).Revision.Should().Be(initial);
        await watcher.HealthWhereAsync(h => h.Connected);

        proxy.Cut();
        await watcher.HealthWhereAsync(h => !h.Connected && h.LastError is not null);
        var on = await writer.PutAsync(Key, """{"enabled":true,"reason":"written while cut off"}""");
        var unrelated = await writer.PutAsync("/elsewhere", "moves the store revision past the key's");
        await writer.CompactAsync(unrelated);
        proxy.Restore();

        // Resuming from initial+1 meets the compaction: the watcher reads again and publishes the current value as a resync.
        var resync = await watcher.NextStateAsync();
        resync.Should().BeEquivalentTo(new { Enabled = true, Revision = on, IsResync = true });
        resync.Info!.Reason.Should().Be("written while cut off");
        var next = await writer.PutAsync(Key, "off");
        (await watcher.NextStateAsync()).Should().BeEquivalentTo(new { Enabled = false, Revision = next, IsResync = false });
    }

    [Fact]
    public async Task Must_fail_over_mid_stream_to_another_member_when_the_member_serving_the_watch_dies()
    {
        var cluster = Owned(await EtcdCluster.StartAsync(3));
        var writer = Owned(new EtcdTestWriter(cluster.CreateClient()));
        var initial = await writer.PutAsync(Key, "off");
        var watcher = StartWatcher(Fast(cluster.CreateSourceOptions()));
        (await watcher.NextStateAsync()).Revision.Should().Be(initial);
        await watcher.HealthWhereAsync(h => h.Connected);

        // The watch stream lives on one member. Killing each member in turn (the other two keep quorum) kills that one at some
        // point while it serves the stream, whichever it is; each kill is followed by writes the watcher must deliver meanwhile.
        var acked = new List<(long Revision, bool Enabled)>();
        var published = new List<MaintenanceStateChanged>();
        var clock = Stopwatch.StartNew();
        foreach (var member in cluster.Members)
        {
            output.WriteLine($"{clock.ElapsedMilliseconds} ms: killing {member.Endpoint}");
            member.Kill();
            for (var i = 0; i < 2; i++)
            {
                var enabled = i == 0;
                acked.Add((await writer.PutAsync(Key, enabled ? "on" : "off"), enabled));
            }
            output.WriteLine($"{clock.ElapsedMilliseconds} ms: written");
            published.AddRange(await watcher.StatesThroughAsync(acked[^1].Revision));
            output.WriteLine($"{clock.ElapsedMilliseconds} ms: published");
            await member.RestartAsync();
            output.WriteLine($"{clock.ElapsedMilliseconds} ms: restarted");
        }

        published.Select(s => (s.Revision, s.Enabled)).Should().Equal(acked, "every write is delivered once, in order, across the failovers");
        watcher.DrainHealth().Should().Contain(h => !h.Connected && h.LastError != null,
            "one of the kills cut the live watch stream, and the watcher said so before failing over");
        output.WriteLine(string.Join("\n", watcher.HealthSeen.Select(h => $"connected={h.Connected} error={h.LastError}")));
        if (!watcher.HealthSeen[^1].Connected)
        {
            await watcher.HealthWhereAsync(h => h.Connected);
        }
    }

    [Fact]
    public async Task Must_authenticate_again_when_its_token_expired_during_the_watch()
    {
        // Simple tokens live 1 s without use; etcd logs each expiry at info level.
        var etcd = Owned(await EtcdServer.StartAsync(new EtcdServerOptions { AuthTokenTtlSeconds = 1, ExtraArguments = ["--log-level", "info"] }));
        await etcd.EnableAuthAsync();
        await etcd.AddReadOnlyUserAsync("watcher", "watcher-pw", "/maintenance/");
        var proxy = Owned(new TcpProxy(etcd.ClientPort));
        var writer = Owned(new EtcdTestWriter(etcd.CreateClient()));
        var initial = await writer.PutAsync(Key, "off");
        var options = Fast(WithEndpoint(etcd.CreateSourceOptions(), proxy.Endpoint));
        (options.Username, options.Password) = ("watcher", "watcher-pw");
        var expired = etcd.WaitForOutputAsync("\"msg\":\"deleted a simple token\",\"user-name\":\"watcher\"", WatcherHarness.Wait);
        var watcher = StartWatcher(options);
        (await watcher.NextStateAsync()).Revision.Should().Be(initial);
        await watcher.HealthWhereAsync(h => h.Connected);

        await expired; // the token the watch stream was opened with is gone now
        var during = await writer.PutAsync(Key, "on");
        (await watcher.NextStateAsync()).Should().BeEquivalentTo(new { Enabled = true, Revision = during });

        proxy.Cut();
        await watcher.HealthWhereAsync(h => !h.Connected && h.LastError is not null);
        var off = await writer.PutAsync(Key, "off");
        var on = await writer.PutAsync(Key, "on");
        proxy.Restore();

        // The client still holds the expired token: etcd refuses the new watch until the backend authenticates again.
        (await watcher.StatesThroughAsync(on)).Select(s => (s.Enabled, s.Revision)).Should().Equal((false, off), (true, on));
        await watcher.HealthWhereAsync(h => h.Connected);
    }

    [Fact]
    public async Task Must_spread_its_reconnect_delays_by_the_configured_jitter()
    {
        var etcd = Owned(await EtcdServer.StartAsync());
        var proxy = Owned(new TcpProxy(etcd.ClientPort));
        var options = WithEndpoint(etcd.CreateSourceOptions(), proxy.Endpoint);
        options.Key = Key;
        // A constant base delay of 200 ms, spread ±50 %: each delay lies in [100, 300] ms.
        options.ReconnectMinBackoff = TimeSpan.FromMilliseconds(200);
        options.ReconnectMaxBackoff = TimeSpan.FromMilliseconds(200);
        options.ReconnectJitter = 0.5;
        RecordingBackend recorder = null!;
        var watcher = StartWatcher(options, inner => recorder = new RecordingBackend(inner));
        await watcher.HealthWhereAsync(h => h.Connected);

        proxy.Cut();
        const int samples = 16;
        await recorder.FailedAttempts(samples + 2).WaitAsync(WatcherHarness.Wait);

        // The first delay follows the broken stream (more work happens around it); the rest are plain retries.
        var delays = recorder.DelaysAfterFailures().Skip(1).Take(samples).ToArray();
        output.WriteLine("delays (ms): " + string.Join(", ", delays.Select(d => d.ToString("F0"))));
        // Each delay is the 200 ms base ±50 %, plus scheduling: never shorter (a timer does not fire early); a busy machine may
        // stretch a few, so the upper side is checked on the median.
        delays.Should().HaveCount(samples).And.OnlyContain(d => d >= 95);
        delays.Order().ElementAt(samples / 2).Should().BeLessThanOrEqualTo(300);
        // Uniform over [100, 300] ms, a delay falls within ±15 ms of 200 ms with probability 0.15, so fewer than 4 of 16 fall outside
        // with a probability below 1e-8; without jitter all would sit at 200 ms plus scheduling noise.
        delays.Count(d => Math.Abs(d - 200) > 15).Should().BeGreaterThanOrEqualTo(4);
    }

    /// <summary>Records when each watch attempt starts and when it fails.</summary>
    private sealed class RecordingBackend(IEtcdWatchBackend inner) : IEtcdWatchBackend
    {
        private readonly object _gate = new();
        private readonly List<(long Started, long? Failed)> _attempts = new();
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = new();

        public Task FailedAttempts(int count)
        {
            lock (_gate)
            {
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
                Check();
                return reached.Task;
            }
        }

        /// <summary>For each failed attempt followed by another, milliseconds from the failure to the next start.</summary>
        public IEnumerable<double> DelaysAfterFailures()
        {
            lock (_gate)
            {
                return _attempts.Zip(_attempts.Skip(1))
                    .Where(pair => pair.First.Failed is not null)
                    .Select(pair => Stopwatch.GetElapsedTime(pair.First.Failed!.Value, pair.Second.Started).TotalMilliseconds)
                    .ToArray();
            }
        }

        public Task<EtcdSnapshot> ReadAsync(string key, bool prefix, CancellationToken cancellationToken) => inner.ReadAsync(key, prefix, cancellationToken);

        public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken) => inner.PutAsync(key, value, cancellationToken);

        public async IAsyncEnumerable<EtcdWatchBatch> WatchAsync(string key, bool prefix, long fromRevision, bool progressNotify,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            int index;
            lock (_gate)
            {
                _attempts.Add((Stopwatch.GetTimestamp(), null));
                index = _attempts.Count - 1;
            }
            await using var batches = inner.WatchAsync(key, prefix, fromRevision, progressNotify, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                try
                {
                    if (!await batches.MoveNextAsync()) yield break;
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    lock (_gate)
                    {
                        _attempts[index] = (_attempts[index].Started, Stopwatch.GetTimestamp());
                        Check();
                    }
                    throw;
                }
                yield return batches.Current;
            }
        }

        private void Check()
        {
            var failed = _attempts.Count(a => a.Failed is not null);
            foreach (var waiter in _waiters.Where(w => failed >= w.Count)) waiter.Reached.TrySetResult();
        }
    }
}
