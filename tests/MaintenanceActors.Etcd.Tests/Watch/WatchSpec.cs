using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests.Watch;

[Collection(SharedEtcd.Name)]
public sealed class WatchSpec(EtcdServer etcd) : SharedEtcdSpec(etcd, "watch")
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Must_deliver_every_one_of_1000_puts_once_and_in_order()
    {
        const int count = 1000;
        var key = Prefix + "counter";
        await using var watch = await Client.WatchAsync(key);

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
                await Client.PutAsync(key, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        var seen = new List<EtcdEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var response in watch.ReadAllAsync(timeout.Token))
        {
            seen.AddRange(response.Events);
            if (seen.Count >= count)
                break;
        }
        await writer;

        seen.Select(e => e.Kv.ValueString).Should().Equal(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        seen.Select(e => e.Kv.ModRevision).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        seen.Should().OnlyContain(e => e.Type == EtcdEventType.Put);
    }

    [Fact]
    public async Task Must_watch_a_prefix_with_puts_and_deletes_and_previous_values()
    {
        await Client.PutAsync(Prefix + "p/a", "1");
        await using var watch = await Client.WatchAsync(Prefix + "p/", new EtcdWatchOptions { Prefix = true, PrevKv = true });

        await Client.PutAsync(Prefix + "p/a", "2");
        await Client.PutAsync(Prefix + "p/b", "3");
        await Client.PutAsync(Prefix + "other", "not watched");
        await Client.DeleteAsync(Prefix + "p/a");

        var events = await ReadEventsAsync(watch, 3);
        events.Select(e => (e.Type, e.Kv.KeyString)).Should().Equal(
            (EtcdEventType.Put, Prefix + "p/a"), (EtcdEventType.Put, Prefix + "p/b"), (EtcdEventType.Delete, Prefix + "p/a"));
        events[0].PrevKv!.ValueString.Should().Be("1");
        events[2].PrevKv!.ValueString.Should().Be("2");
    }

    [Fact]
    public async Task Must_replay_history_from_a_start_revision()
    {
        var first = await Client.PutAsync(Prefix + "h", "1");
        await Client.PutAsync(Prefix + "h", "2");

        await using var watch = await Client.WatchAsync(Prefix + "h", new EtcdWatchOptions { StartRevision = first });

        var events = await ReadEventsAsync(watch, 2);
        events.Select(e => e.Kv.ValueString).Should().Equal("1", "2");
    }

    [Fact]
    public async Task Must_end_the_reader_normally_after_cancel()
    {
        var watch = await Client.WatchAsync(Prefix + "c");

        await watch.CancelAsync().WaitAsync(Patience);

        var drained = await watch.ReadAllAsync().ToListAsync().AsTask().WaitAsync(Patience);
        drained.SelectMany(r => r.Events).Should().BeEmpty();
        watch.Responses.Completion.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task Must_answer_a_progress_request_with_the_current_revision_on_every_watch()
    {
        await using var first = await Client.WatchAsync(Prefix + "one");
        await using var second = await Client.WatchAsync(Prefix + "two");
        var revision = await Client.PutAsync(Prefix + "unwatched", "x");

        await Client.RequestWatchProgressAsync();

        foreach (var watch in new[] { first, second })
        {
            var progress = await watch.Responses.ReadAsync().AsTask().WaitAsync(Patience);
            progress.IsProgressNotify.Should().BeTrue();
            progress.Revision.Should().BeGreaterThanOrEqualTo(revision);
        }
    }

    [Fact]
    public async Task Must_multiplex_several_watches_on_one_stream_each_seeing_only_its_key()
    {
        await using var a = await Client.WatchAsync(Prefix + "a");
        await using var b = await Client.WatchAsync(Prefix + "b");

        await Client.PutAsync(Prefix + "b", "for b");
        await Client.PutAsync(Prefix + "a", "for a");

        (await ReadEventsAsync(a, 1)).Single().Kv.ValueString.Should().Be("for a");
        (await ReadEventsAsync(b, 1)).Single().Kv.ValueString.Should().Be("for b");
        a.WatchId.Should().NotBe(b.WatchId);
    }

    [Fact]
    public async Task Must_fail_a_watch_from_a_compacted_revision_with_the_compact_revision()
    {
        var old = await Client.PutAsync(Prefix + "compacted", "1");
        var latest = await Client.PutAsync(Prefix + "compacted", "2");
        await Client.CompactAsync(latest);

        await using var watch = await Client.WatchAsync(Prefix + "compacted", new EtcdWatchOptions { StartRevision = old });

        var read = () => watch.ReadAllAsync().ToListAsync().AsTask().WaitAsync(Patience);
        var error = (await read.Should().ThrowAsync<EtcdCompactedException>()).Which;
        error.CompactRevision.Should().Be(latest);
        error.RequestedRevision.Should().Be(old);
    }

    [Fact]
    public async Task Must_deliver_a_history_replay_larger_than_the_message_limit_whole_and_in_order()
    {
        // 8 x 600 KB: one replay response would exceed the client's 4 MiB message limit unless etcd sends it in fragments.
        var values = Enumerable.Range(0, 8).Select(i => new string((char)('a' + i), 600_000)).ToList();
        long first = 0;
        foreach (var value in values)
        {
            var revision = await Client.PutAsync(Prefix + "big/" + value[0], value);
            first = first == 0 ? revision : first;
        }

        await using var watch = await Client.WatchAsync(Prefix + "big/", new EtcdWatchOptions { Prefix = true, StartRevision = first });
        var response = await watch.Responses.ReadAsync().AsTask().WaitAsync(Patience);

        // The pieces are put back together: the consumer sees the replay as one response, never a partial one.
        response.Events.Select(e => e.Kv.ValueString).Should().Equal(values);
        response.Events.Select(e => e.Kv.ModRevision).Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task Must_not_report_progress_below_the_revision_a_watch_from_the_future_starts_at()
    {
        var now = await Client.PutAsync(Prefix + "now", "x");
        var start = now + 10;
        await using var watch = await Client.WatchAsync(Prefix + "future", new EtcdWatchOptions { StartRevision = start });

        await Client.RequestWatchProgressAsync();

        // etcd answers with the store revision, which is below the start; resuming from it would replay revisions the caller skipped.
        var progress = await watch.Responses.ReadAsync().AsTask().WaitAsync(Patience);
        progress.IsProgressNotify.Should().BeTrue();
        progress.Revision.Should().BeGreaterThanOrEqualTo(start - 1);
    }

    internal static async Task<List<EtcdEvent>> ReadEventsAsync(EtcdWatch watch, int count)
    {
        var events = new List<EtcdEvent>();
        using var timeout = new CancellationTokenSource(Patience);
        while (events.Count < count)
        {
            var response = await watch.Responses.ReadAsync(timeout.Token);
            events.AddRange(response.Events);
        }
        return events;
    }
}
