using MaintenanceActors.Etcd.Protocol;

namespace MaintenanceActors.Etcd.Tests.Watch;

/// <summary>What progress notifications claim, and how a stream etcd ends is reported, against a scripted etcd.</summary>
public sealed class WatchProgressSpec : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private ScriptedWatchServer etcd = null!;
    private EtcdClient client = null!;

    public async Task InitializeAsync()
    {
        etcd = await ScriptedWatchServer.StartAsync();
        client = new EtcdClient(new EtcdClientOptions { Endpoints = [etcd.Endpoint.ToString()] });
    }

    public async Task DisposeAsync()
    {
        await client.DisposeAsync();
        await etcd.DisposeAsync();
    }

    [Fact]
    public async Task Must_not_let_a_stream_wide_progress_claim_more_than_a_replaying_watch_has_delivered()
    {
        var (stream, watch) = await CreateAsync(startRevision: 5, createdAt: 100);

        etcd.Send(stream, Progress(-1, 100));
        etcd.Send(stream, new WatchResponse { WatchId = watch.WatchId, Header = Header(100), Events = { Put(7) } });
        etcd.Send(stream, Progress(-1, 100));
        etcd.Send(stream, Progress(watch.WatchId, 100));

        // etcd 3.4 answers a progress request for all watches at once, even one still replaying history.
        (await NextAsync(watch)).Revision.Should().Be(4, "nothing from revision 5 on has been delivered yet");
        (await NextAsync(watch)).Events.Should().ContainSingle();
        (await NextAsync(watch)).Revision.Should().Be(7, "the replay may still be running");
        (await NextAsync(watch)).Revision.Should().Be(100, "a watch's own progress notification comes only once it caught up");
    }

    [Fact]
    public async Task Must_not_give_a_watch_still_being_created_a_progress_notification()
    {
        var (stream, first) = await CreateAsync(startRevision: 0, createdAt: 10);
        var second = client.WatchAsync("/second");
        var (_, create) = await etcd.NextRequestAsync();

        etcd.Send(stream, Progress(-1, 50));
        etcd.Send(stream, Created(create.CreateRequest.WatchId, 60));
        etcd.Send(stream, Progress(-1, 70));
        await using var created = await second.WaitAsync(Patience);

        (await NextAsync(first)).Revision.Should().Be(50);
        (await NextAsync(created)).Revision.Should().Be(70, "the progress sent before it existed says nothing about it");
    }

    [Fact]
    public async Task Must_end_a_watch_with_a_connection_error_when_etcd_ends_the_stream_with_status_OK()
    {
        var (stream, watch) = await CreateAsync(startRevision: 0, createdAt: 10);

        etcd.EndStream(stream);

        var drain = async () =>
        {
            await foreach (var _ in watch.ReadAllAsync())
            {
            }
        };
        (await drain.Should().ThrowAsync<EtcdConnectionException>().WaitAsync(Patience)).Which.Message.Should().Contain("closed the watch stream");
    }

    private async Task<(int Stream, EtcdWatch Watch)> CreateAsync(long startRevision, long createdAt)
    {
        var pending = client.WatchAsync("/key", new EtcdWatchOptions { StartRevision = startRevision });
        var (stream, create) = await etcd.NextRequestAsync();
        etcd.Send(stream, Created(create.CreateRequest.WatchId, createdAt));
        return (stream, await pending.WaitAsync(Patience));
    }

    private static async Task<EtcdWatchResponse> NextAsync(EtcdWatch watch) => await watch.Responses.ReadAsync().AsTask().WaitAsync(Patience);

    private static ResponseHeader Header(long revision) => new() { Revision = revision };

    private static WatchResponse Created(long watchId, long revision) => new() { WatchId = watchId, Created = true, Header = Header(revision) };

    private static WatchResponse Progress(long watchId, long revision) => new() { WatchId = watchId, Header = Header(revision) };

    private static Event Put(long revision) => new()
    {
        Type = Event.Types.EventType.Put,
        Kv = new KeyValue { Key = Google.Protobuf.ByteString.CopyFromUtf8("/key"), ModRevision = revision, CreateRevision = revision, Version = 1 },
    };
}
