using MaintenanceActors.Grpc;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Etcd.Tests.Auth;

/// <summary>An etcd with auth enabled: root, and "reader" who may only read /allowed/.</summary>
public sealed class AuthEtcd : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await EtcdServer.StartAsync();
        await Server.EnableAuthAsync("root-pw");
        await Server.AddReadOnlyUserAsync("reader", "reader-pw", "/allowed/");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class AuthSpec(AuthEtcd auth) : IClassFixture<AuthEtcd>
{
    private EtcdServer Etcd => auth.Server;

    [Fact]
    public async Task Must_read_and_write_with_the_right_password()
    {
        await using var client = Etcd.CreateClient();

        await client.PutAsync("/allowed/greeting", "hello");

        (await client.GetAsync("/allowed/greeting"))!.ValueString.Should().Be("hello");
    }

    [Fact]
    public async Task Must_fail_clearly_with_a_wrong_password()
    {
        await using var client = Etcd.CreateClient(o => o.Password = "wrong");

        var get = () => client.GetAsync("/allowed/x");

        var error = (await get.Should().ThrowAsync<EtcdException>()).Which;
        error.StatusCode.Should().Be(GrpcStatusCode.InvalidArgument);
        error.Message.Should().Contain("Authenticating as 'root' failed").And.Contain("invalid user ID or password");
    }

    [Fact]
    public async Task Must_authenticate_explicitly_and_send_the_token_on_calls()
    {
        await using var client = Etcd.CreateClient(o => (o.Username, o.Password) = (null, null));
        var anonymous = () => client.GetAsync("/allowed/x");
        await anonymous.Should().ThrowAsync<EtcdException>();

        await client.AuthenticateAsync("reader", "reader-pw");

        (await client.GetAsync("/allowed/x")).Should().BeNull();
    }

    [Fact]
    public async Task Must_authenticate_again_and_retry_once_when_the_token_is_rejected()
    {
        await using var client = Etcd.CreateClient();
        await client.PutAsync("/allowed/token", "1");

        client.SetTokenForTesting("bogus.token");

        (await client.GetAsync("/allowed/token"))!.ValueString.Should().Be("1");
    }

    [Fact]
    public async Task Must_authenticate_again_when_a_watch_is_refused_because_of_a_stale_token()
    {
        await using var client = Etcd.CreateClient();
        await client.PutAsync("/allowed/watched", "1");
        client.SetTokenForTesting("bogus.token");

        await using var watch = await client.WatchAsync("/allowed/watched");
        await client.PutAsync("/allowed/watched", "2");

        (await Watch.WatchSpec.ReadEventsAsync(watch, 1)).Single().Kv.ValueString.Should().Be("2");
    }

    [Fact]
    public async Task Must_authenticate_again_when_a_watch_on_an_open_stream_is_refused_because_its_token_was_dropped()
    {
        await using var client = Etcd.CreateClient(o => (o.Username, o.Password) = ("reader", "reader-pw"));
        await using var first = await client.WatchAsync("/allowed/first");

        // Turning auth off and on again drops every token etcd issued: the open stream's token is now invalid.
        await Etcd.EtcdCtlAsync("auth", "disable");
        await Etcd.EtcdCtlAsync("auth", "enable");

        await using var second = await client.WatchAsync("/allowed/second");
        await Etcd.EtcdCtlAsync("put", "/allowed/second", "v");
        (await Watch.WatchSpec.ReadEventsAsync(second, 1)).Single().Kv.ValueString.Should().Be("v");
    }

    [Fact]
    public async Task Must_close_a_stream_that_refused_a_watch_once_its_last_watch_has_ended()
    {
        await using var client = Etcd.CreateClient(o => (o.Username, o.Password) = ("reader", "reader-pw"));
        var allowed = await client.WatchAsync("/allowed/a");
        var refused = () => client.WatchAsync("/secret/x");
        await refused.Should().ThrowAsync<EtcdException>();
        await allowed.CancelAsync().WaitAsync(TimeSpan.FromSeconds(20));

        await using var next = await client.WatchAsync("/allowed/b");

        // etcd no longer reads a stream after a refusal; kept open with nothing on it, each refusal would leak one.
        client.OpenWatchStreamCount.Should().Be(1);
    }

    [Fact]
    public async Task Must_report_permission_denied_on_a_key_the_user_may_not_read()
    {
        await using var client = Etcd.CreateClient(o => (o.Username, o.Password) = ("reader", "reader-pw"));

        var get = () => client.GetAsync("/secret/x");
        var watch = () => client.WatchAsync("/secret/x");

        var error = (await get.Should().ThrowAsync<EtcdException>()).Which;
        error.StatusCode.Should().Be(GrpcStatusCode.PermissionDenied);
        error.Detail.Should().Be("etcdserver: permission denied");
        (await watch.Should().ThrowAsync<EtcdException>()).Which.StatusCode.Should().Be(GrpcStatusCode.PermissionDenied);
    }
}
