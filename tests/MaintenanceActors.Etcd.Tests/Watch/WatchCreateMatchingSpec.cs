using MaintenanceActors.Actors.TestKit;
using MaintenanceActors.Etcd.Protocol;

namespace MaintenanceActors.Etcd.Tests.Watch;

/// <summary>How answers to watch creates are matched to the creates, against a scripted etcd.</summary>
public sealed class WatchCreateMatchingSpec : IAsyncLifetime
{
    private ScriptedWatchServer etcd = null!;

    public async Task InitializeAsync() => etcd = await ScriptedWatchServer.StartAsync();

    public async Task DisposeAsync() => await etcd.DisposeAsync();

    [Fact]
    public async Task Must_not_complete_a_create_with_the_late_answer_to_an_earlier_create_that_timed_out()
    {
        var clock = new ManualTimeProvider();
        await using var client = new EtcdClient(new EtcdClientOptions
        {
            Endpoints = [etcd.Endpoint.ToString()],
            RequestTimeout = TimeSpan.FromSeconds(10),
            TimeProvider = clock,
        });
        var first = client.WatchAsync("/a");
        var (stream, create) = await etcd.NextRequestAsync();
        etcd.Send(stream, Created(create.CreateRequest.WatchId, revision: 10));
        await first.WaitAsync(TimeSpan.FromSeconds(20));

        // The second create gets no answer in time, and no other stream can be opened: the client keeps the first stream.
        etcd.RefuseFromStream = 2;
        var timedOut = client.WatchAsync("/b");
        var (_, late) = await etcd.NextRequestAsync();
        await PollAsync(() => clock.ActiveTimerCount == 1);
        clock.Advance(TimeSpan.FromSeconds(10));
        await ((Func<Task>)(() => timedOut)).Should().ThrowAsync<EtcdConnectionException>().WaitAsync(TimeSpan.FromSeconds(20));
        var (_, forgotten) = await etcd.NextRequestAsync();
        forgotten.CancelRequest.WatchId.Should().Be(late.CreateRequest.WatchId);

        var third = client.WatchAsync("/c");
        var (_, current) = await etcd.NextRequestAsync();
        etcd.Send(stream, Created(late.CreateRequest.WatchId, revision: 20));
        etcd.Send(stream, Created(current.CreateRequest.WatchId, revision: 30));

        var watch = await third.WaitAsync(TimeSpan.FromSeconds(20));
        watch.WatchId.Should().Be(current.CreateRequest.WatchId);
        watch.CreatedRevision.Should().Be(30, "the answer for the abandoned create must not be taken for this one");
    }

    private static async Task PollAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the client should be waiting for the create's answer");
            await Task.Yield();
        }
    }

    private static WatchResponse Created(long watchId, long revision) =>
        new() { WatchId = watchId, Created = true, Header = new ResponseHeader { Revision = revision } };
}
