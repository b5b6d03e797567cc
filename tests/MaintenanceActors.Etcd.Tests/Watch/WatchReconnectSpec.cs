using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests.Watch;

public sealed class WatchReconnectSpec : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private EtcdServer etcd = null!;

    public async Task InitializeAsync() => etcd = await EtcdServer.StartAsync();

    public async Task DisposeAsync() => await etcd.DisposeAsync();

    [Fact]
    public async Task Must_surface_a_killed_server_as_a_connection_error_and_resume_from_the_last_revision_after_restart()
    {
        await using var client = etcd.CreateClient();
        const string key = "/reconnect/key";
        var watch = await client.WatchAsync(key);
        await client.PutAsync(key, "before");
        var lastSeen = (await WatchSpec.ReadEventsAsync(watch, 1)).Single().Kv.ModRevision;

        etcd.Kill();

        var drain = async () =>
        {
            await foreach (var _ in watch.ReadAllAsync())
            {
            }
        };
        var error = (await drain.Should().ThrowAsync<EtcdConnectionException>().WaitAsync(Patience)).Which;
        error.EndpointsTried.Should().ContainSingle().Which.Should().Be(new Uri(etcd.Endpoint + "/"));

        await etcd.RestartAsync();
        var missed = new[] { "m1", "m2", "m3", "m4" };
        foreach (var value in missed)
            await client.PutAsync(key, value);

        await using var resumed = await client.WatchAsync(key, new EtcdWatchOptions { StartRevision = lastSeen + 1 });

        var events = await WatchSpec.ReadEventsAsync(resumed, missed.Length);
        events.Select(e => e.Kv.ValueString).Should().Equal(missed);
        events[0].Kv.ModRevision.Should().Be(lastSeen + 1);
    }

    [Fact]
    public async Task Must_end_a_watch_with_a_connection_error_when_etcd_closes_the_stream_itself_on_shutdown()
    {
        await using var client = etcd.CreateClient();
        const string key = "/graceful/key";
        var watch = await client.WatchAsync(key);
        await client.PutAsync(key, "before");
        var lastSeen = (await WatchSpec.ReadEventsAsync(watch, 1)).Single().Kv.ModRevision;

        await etcd.StopGracefullyAsync();

        // A stream etcd ends on purpose is still a lost watch: ending the reader normally would look like a cancel.
        var drain = async () =>
        {
            await foreach (var _ in watch.ReadAllAsync())
            {
            }
        };
        await drain.Should().ThrowAsync<EtcdConnectionException>().WaitAsync(Patience);

        await etcd.RestartAsync();
        await client.PutAsync(key, "after");
        await using var resumed = await client.WatchAsync(key, new EtcdWatchOptions { StartRevision = lastSeen + 1 });
        (await WatchSpec.ReadEventsAsync(resumed, 1)).Single().Kv.ValueString.Should().Be("after");
    }

    [Fact]
    public async Task Must_fail_a_new_watch_with_a_connection_error_naming_the_endpoint_while_the_server_is_down()
    {
        await using var client = etcd.CreateClient(o => o.ConnectTimeout = TimeSpan.FromSeconds(2));
        etcd.Kill();

        var create = () => client.WatchAsync("/down/key");

        var error = (await create.Should().ThrowAsync<EtcdConnectionException>().WaitAsync(Patience)).Which;
        error.Message.Should().Contain(etcd.Endpoint);
    }
}
