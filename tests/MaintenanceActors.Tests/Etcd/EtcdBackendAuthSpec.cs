using MaintenanceActors.Etcd;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Tests.Etcd;

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

/// <summary>The backend with etcd authentication: token, refusals, and authenticating again when etcd drops the token.</summary>
public sealed class EtcdBackendAuthSpec(AuthEtcd auth) : IClassFixture<AuthEtcd>, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _cleanup = new();

    private EtcdServer Etcd => auth.Server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var item in Enumerable.Reverse(_cleanup)) await item.DisposeAsync();
    }

    private EtcdClientBackend Backend(Action<EtcdSourceOptions>? configure = null)
    {
        var options = Etcd.CreateSourceOptions();
        configure?.Invoke(options);
        var client = new EtcdTestWriter(EtcdClientFactory.Create(options));
        _cleanup.Add(client);
        return new EtcdClientBackend(client.Client, options);
    }

    private WatchReader Watch(IEtcdWatchBackend backend, string key, long fromRevision)
    {
        var reader = new WatchReader(backend, key, fromRevision);
        _cleanup.Add(reader);
        return reader;
    }

    [Fact]
    public async Task Must_read_write_and_watch_with_the_right_password()
    {
        var backend = Backend();

        var revision = await backend.PutAsync("/allowed/greeting", "hello", CancellationToken.None);

        (await backend.ReadAsync("/allowed/greeting", false, CancellationToken.None)).Entries.Single().ModRevision.Should().Be(revision);
        var watch = Watch(backend, "/allowed/greeting", revision);
        (await watch.NextAsync()).Created.Should().BeTrue();
        (await watch.NextChangesAsync()).Changes.Single().ModRevision.Should().Be(revision);
    }

    [Fact]
    public async Task Must_fail_clearly_with_a_wrong_password()
    {
        var backend = Backend(o => o.Password = "wrong");

        var read = () => backend.ReadAsync("/allowed/x", false, CancellationToken.None);

        (await read.Should().ThrowAsync<EtcdException>()).Which.Message.Should().Contain("authentication failed, invalid user ID or password");
    }

    [Fact]
    public async Task Must_report_permission_denied_on_a_key_the_user_may_not_read_for_reads_and_watches()
    {
        var backend = Backend(o => (o.Username, o.Password) = ("reader", "reader-pw"));

        var read = () => backend.ReadAsync("/secret/x", false, CancellationToken.None);

        (await read.Should().ThrowAsync<EtcdException>()).Which.Message.Should().Contain("PermissionDenied").And.Contain("permission denied");
        var refused = await Watch(backend, "/secret/x", 1).EndAsync();
        refused.Should().BeOfType<EtcdException>().Which.Message.Should().Contain("refused to watch '/secret/x'").And.Contain("permission denied");
    }

    [Fact]
    public async Task Must_authenticate_again_when_etcd_drops_every_token_it_issued()
    {
        var reading = Backend(o => (o.Username, o.Password) = ("reader", "reader-pw"));
        var watching = Backend(o => (o.Username, o.Password) = ("reader", "reader-pw"));
        var before = await reading.ReadAsync("/allowed/x", false, CancellationToken.None); // each client authenticates and caches its token
        await watching.ReadAsync("/allowed/x", false, CancellationToken.None);

        // Turning auth off and on again drops every token etcd issued: the cached ones are now refused.
        await Etcd.EtcdCtlAsync("auth", "disable");
        await Etcd.EtcdCtlAsync("auth", "enable");

        // etcd 3.4 refuses a watch made with a dropped token as "permission denied"; a read as "invalid auth token".
        var watch = Watch(watching, "/allowed/second", before.Revision + 1);
        (await watch.NextAsync()).Created.Should().BeTrue("the refused watch is created again with a fresh token");
        (await reading.ReadAsync("/allowed/x", false, CancellationToken.None)).Revision.Should().BeGreaterThanOrEqualTo(before.Revision);
        await Etcd.EtcdCtlAsync("put", "/allowed/second", "v");
        (await watch.NextChangesAsync()).Changes.Single().Key.Should().Be("/allowed/second");
    }
}
