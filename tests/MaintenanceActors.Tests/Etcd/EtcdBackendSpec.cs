using System.Text;
using MaintenanceActors.Etcd;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Tests.Etcd;

/// <summary>The watcher's backend over dotnet-etcd against a real etcd: read, watch, history, compaction, progress, failures.</summary>
public sealed class EtcdBackendSpec : IAsyncLifetime
{
    private EtcdServer _etcd = null!;
    private EtcdTestWriter _writer = null!;
    private readonly List<IAsyncDisposable> _cleanup = new();

    public async Task InitializeAsync()
    {
        // Progress notifications every 200 ms instead of etcd's 10 minutes.
        _etcd = await EtcdServer.StartAsync(new EtcdServerOptions { ExtraArguments = ["--experimental-watch-progress-notify-interval", "200ms"] });
        _writer = new EtcdTestWriter(_etcd.CreateClient());
    }

    public async Task DisposeAsync()
    {
        foreach (var item in Enumerable.Reverse(_cleanup)) await item.DisposeAsync();
        await _writer.DisposeAsync();
        await _etcd.DisposeAsync();
    }

    private EtcdClientBackend Backend(Action<EtcdSourceOptions>? configure = null)
    {
        var options = _etcd.CreateSourceOptions();
        configure?.Invoke(options);
        var client = new EtcdTestWriter(EtcdClientFactory.Create(options));
        _cleanup.Add(client);
        return new EtcdClientBackend(client.Client, options);
    }

    private WatchReader Watch(IEtcdWatchBackend backend, string key, long fromRevision, bool prefix = false, bool progress = false)
    {
        var reader = new WatchReader(backend, key, fromRevision, prefix, progress);
        _cleanup.Add(reader);
        return reader;
    }

    private static string Text(byte[]? value) => value is null ? "<deleted>" : Encoding.UTF8.GetString(value);

    [Fact]
    public async Task Must_read_then_watch_from_the_read_revision_plus_one_delivering_each_of_1000_puts_once_and_in_order()
    {
        var backend = Backend();
        await _writer.PutAsync("/k/a", "before");
        var snapshot = await backend.ReadAsync("/k/a", prefix: false, CancellationToken.None);
        snapshot.Entries.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Key = "/k/a", ModRevision = snapshot.Revision });
        var watch = Watch(backend, "/k/a", snapshot.Revision + 1);
        (await watch.NextAsync()).Should().BeEquivalentTo(new { Created = true, HeaderRevision = snapshot.Revision });

        var written = new List<long>();
        for (var i = 0; i < 1000; i++)
        {
            written.Add(await backend.PutAsync("/k/a", $"v{i}", CancellationToken.None));
        }

        var seen = new List<(long Revision, string Value)>();
        while (seen.Count < 1000)
        {
            seen.AddRange((await watch.NextChangesAsync()).Changes.Select(c => (c.ModRevision, Text(c.Value))));
        }
        seen.Select(s => s.Revision).Should().Equal(written);
        seen.Select(s => s.Value).Should().Equal(Enumerable.Range(0, 1000).Select(i => $"v{i}"));
    }

    [Fact]
    public async Task Must_watch_a_prefix_with_puts_and_deletes_and_replay_history_from_a_start_revision()
    {
        var backend = Backend();
        var first = await _writer.PutAsync("/p/one", "1");
        await _writer.PutAsync("/other", "not under the prefix");
        var second = await _writer.PutAsync("/p/two", "2");
        var deleted = await _writer.DeleteAsync("/p/one");

        var snapshot = await backend.ReadAsync("/p/", prefix: true, CancellationToken.None);
        snapshot.Entries.Select(e => (e.Key, Text(e.Value))).Should().Equal(("/p/two", "2"));
        var watch = Watch(backend, "/p/", first, prefix: true);

        (await watch.NextAsync()).Created.Should().BeTrue();
        var replayed = new List<EtcdChange>();
        while (replayed.Count < 3)
        {
            replayed.AddRange((await watch.NextChangesAsync()).Changes);
        }
        replayed.Select(c => (c.Key, Text(c.Value), c.ModRevision)).Should().Equal(
            ("/p/one", "1", first), ("/p/two", "2", second), ("/p/one", "<deleted>", deleted));
    }

    [Fact]
    public async Task Must_end_with_a_compaction_batch_when_the_start_revision_was_compacted()
    {
        var backend = Backend();
        var old = await _writer.PutAsync("/c/k", "0");
        var current = await _writer.PutAsync("/c/k", "1");
        await _writer.CompactAsync(current);

        var watch = Watch(backend, "/c/k", old);

        // etcd 3.4 first confirms the watch, then cancels it with the compact revision.
        var batch = await watch.NextAsync();
        if (batch.Created)
        {
            batch = await watch.NextAsync();
        }
        batch.CompactRevision.Should().Be(current);
        (await watch.EndAsync()).Should().BeNull("the watch ends after reporting the compaction, so the watcher reads again");
    }

    [Fact]
    public async Task Must_send_progress_notifications_at_the_store_revision_while_the_key_is_idle()
    {
        var backend = Backend();
        var start = await _writer.PutAsync("/progress/k", "v");
        var watch = Watch(backend, "/progress/k", start + 1, progress: true);
        (await watch.NextAsync()).Created.Should().BeTrue();

        var unrelated = await _writer.PutAsync("/elsewhere", "moves the store revision");

        EtcdWatchBatch progress;
        do
        {
            progress = await watch.NextAsync();
        }
        while (progress.HeaderRevision < unrelated);
        progress.Should().BeEquivalentTo(new { Progress = true, Created = false, CompactRevision = 0L });
        progress.Changes.Should().BeEmpty();
    }

    [Fact]
    public async Task Must_throw_when_etcd_is_killed_mid_watch_and_resume_from_the_last_revision_after_restart()
    {
        var backend = Backend();
        var seen = await _writer.PutAsync("/kill/k", "before");
        var watch = Watch(backend, "/kill/k", seen);
        (await watch.NextAsync()).Created.Should().BeTrue();
        (await watch.NextChangesAsync()).Changes.Single().ModRevision.Should().Be(seen);

        _etcd.Kill();

        var error = await watch.EndAsync();
        error.Should().BeOfType<EtcdException>().Which.Message.Should().Contain("Unavailable");
        (await Watch(backend, "/kill/k", seen + 1).EndAsync()).Should().BeOfType<EtcdException>("a new watch fails at once while etcd is down");

        await _etcd.RestartAsync();
        var after = await _writer.PutAsync("/kill/k", "after");
        // A watch fails at once while the client is still reconnecting (the watcher retries it); a read waits until it is back.
        (await backend.ReadAsync("/kill/k", false, CancellationToken.None)).Revision.Should().BeGreaterThanOrEqualTo(after);
        var resumed = Watch(backend, "/kill/k", seen + 1);
        (await resumed.NextAsync()).Created.Should().BeTrue();
        var change = (await resumed.NextChangesAsync()).Changes.Single();
        (change.ModRevision, Text(change.Value)).Should().Be((after, "after"));
    }

    [Fact]
    public async Task Must_end_the_watch_when_etcd_shuts_down_gracefully()
    {
        var backend = Backend();
        var watch = Watch(backend, "/stop/k", 1);
        (await watch.NextAsync()).Created.Should().BeTrue();

        await _etcd.StopGracefullyAsync();

        // Ended either way (an error, or the stream closed by etcd): the watcher treats both as a lost connection.
        await watch.EndAsync();
    }

    [Fact]
    public async Task Must_fail_over_from_a_dead_endpoint_to_a_live_one_for_reads_writes_and_watches()
    {
        var backend = Backend(o => o.Endpoints = [$"http://127.0.0.1:{FreePort.Get()}", _etcd.Endpoint]);

        var revision = await backend.PutAsync("/failover/k", "reached", CancellationToken.None);
        (await backend.ReadAsync("/failover/k", false, CancellationToken.None)).Entries.Single().ModRevision.Should().Be(revision);
        var watch = Watch(backend, "/failover/k", revision);
        (await watch.NextAsync()).Created.Should().BeTrue();
        (await watch.NextChangesAsync()).Changes.Single().ModRevision.Should().Be(revision);
    }

    [Fact]
    public async Task Must_fail_with_an_error_when_no_endpoint_is_reachable()
    {
        var backend = Backend(o => o.Endpoints = [$"127.0.0.1:{FreePort.Get()}", $"http://127.0.0.1:{FreePort.Get()}"]);

        // A watch fails at once; a read waits (up to its deadline) for an endpoint to become reachable, then names them.
        var watchError = await Watch(backend, "/any", 1).EndAsync();
        watchError.Should().BeOfType<EtcdException>().Which.Message.Should().Contain("Unavailable");
        var read = () => backend.ReadAsync("/any", false, CancellationToken.None);
        (await read.Should().ThrowAsync<EtcdException>()).Which.Message.Should().Contain("DeadlineExceeded").And.Contain("127.0.0.1");
    }
}
