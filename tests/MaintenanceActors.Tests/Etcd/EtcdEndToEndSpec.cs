using Akka.Actor;
using Akka.TestKit;
using MaintenanceActors.Etcd;
using MaintenanceActors.Testing;
using MaintenanceActors.Tests.Support;

namespace MaintenanceActors.Tests.Etcd;

/// <summary>The watcher, supervisor and resources against a real etcd process.</summary>
public sealed class EtcdEndToEndSpec : MaintenanceTestKit, IAsyncLifetime
{
    private const string Key = "/maintenance/my-service";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly List<IAsyncDisposable> _cleanup = new();
    private EtcdServer _etcd = null!;

    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public EtcdEndToEndSpec(Xunit.Abstractions.ITestOutputHelper output) : base(output) => _output = output;

    public async Task InitializeAsync() => _etcd = await EtcdServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var item in Enumerable.Reverse(_cleanup)) await item.DisposeAsync();
        await _etcd.DisposeAsync();
    }

    private MaintenanceCoordinator StartCoordinator(string endpoint, TestResourceControl[] resources, Action<EtcdSourceOptions>? tweak = null,
        Action<EtcdSourceOptions>? client = null, Action<MaintenanceCoordinator>? more = null)
    {
        var options = new EtcdSourceOptions
        {
            Endpoints = { endpoint },
            Key = Key,
            ReconnectMinBackoff = TimeSpan.FromMilliseconds(50),
            ReconnectMaxBackoff = TimeSpan.FromMilliseconds(500),
        };
        tweak?.Invoke(options);
        var coordinator = new MaintenanceCoordinator(Sys, new MaintenanceOptions
        {
            RestartMinBackoff = TimeSpan.FromMilliseconds(10),
            RestartMaxBackoff = TimeSpan.FromMilliseconds(100),
        });
        coordinator.UseEtcd(options, _etcd.CreateClient(o =>
        {
            o.Endpoints = [endpoint];
            client?.Invoke(o);
        }), ownsClient: true);
        foreach (var resource in resources) coordinator.RegisterResource(TestResource.Registration(resource));
        more?.Invoke(coordinator);
        coordinator.Start();
        _cleanup.Add(coordinator);
        return coordinator;
    }

    private EtcdTestWriter Writer()
    {
        var client = new EtcdTestWriter(_etcd.CreateClient());
        _cleanup.Add(client);
        return client;
    }

    private TestProbe Listen<T>()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe, typeof(T));
        return probe;
    }

    private static TestResourceControl[] Resources(int count) =>
        Enumerable.Range(1, count).Select(i => new TestResourceControl($"res{i}") { IdleAtOnce = true }).ToArray();

    [Fact]
    public async Task Must_end_in_the_last_value_written_after_a_thousand_toggles_with_every_resource_agreeing()
    {
        var resources = Resources(4);
        var coordinator = StartCoordinator(_etcd.Endpoint, resources);
        var writer = Writer();

        long last = 0;
        for (var i = 1; i <= 1000; i++)
        {
            last = await writer.PutAsync(Key, i % 2 == 0 ? "on" : "off");
        }

        await AwaitConditionAsync(() => coordinator.GetStatusAsync().GetAwaiter().GetResult().Votes.Any(v => v.Revision == last), Wait,
            "the last revision written reaches the supervisor");
        (await coordinator.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();
        coordinator.IsInMaintenance.Should().BeTrue();
        var stats = await coordinator.GetResourceStatsAsync();
        stats.Resources.Should().HaveCount(4).And.OnlyContain(r => r.State == ResourceState.InMaintenance);
        resources.Should().OnlyContain(r => !r.IntakeOpen);
    }

    [Fact]
    public async Task Must_deliver_every_acknowledged_value_across_kill_9_and_restart_and_report_reconnecting_meanwhile()
    {
        var states = Listen<MaintenanceStateChanged>();
        var health = Listen<SourceHealthChanged>();
        var coordinator = StartCoordinator(_etcd.Endpoint, Resources(2));
        await states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait).AsTask();
        var writer = Writer();

        var acked = new List<(long Revision, bool Enabled)>();
        var twenty = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writing = Task.Run(async () =>
        {
            // Writes until etcd dies under it; a write whose answer was lost is not counted.
            for (var i = 0; ; i++)
            {
                var enabled = i % 3 != 0;
                try
                {
                    var revision = await writer.PutAsync(Key, enabled ? "on" : "off");
                    lock (acked) acked.Add((revision, enabled));
                }
                catch (Exception)
                {
                    return;
                }
                if (i == 20) twenty.TrySetResult();
            }
        });
        await twenty.Task.WaitAsync(Wait);
        _etcd.Kill();
        await writing.WaitAsync(Wait);
        var down = await health.FishForMessageAsync<SourceHealthChanged>(h => !h.Health.Connected && h.Health.LastError is not null, Wait);
        down.Health.ReconnectingSince.Should().NotBeNull();
        down.Health.LastError.Should().NotBeNullOrEmpty();
        (await coordinator.GetHealthAsync()).Sources["etcd"].Connected.Should().BeFalse();

        await _etcd.RestartAsync();
        for (var i = 0; i < 20; i++)
        {
            var enabled = i % 2 == 0;
            acked.Add((await writer.PutAsync(Key, enabled ? "on" : "off"), enabled));
        }

        var seen = new List<MaintenanceStateChanged>();
        var lastRevision = acked[^1].Revision;
        while (seen.Count == 0 || seen[^1].Revision < lastRevision)
        {
            seen.Add(await states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait).AsTask());
        }
        seen.Select(s => s.Revision).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        seen.Select(s => (s.Revision, s.Enabled)).Should().Contain(acked, "every acknowledged write is delivered, in order");
        await health.FishForMessageAsync<SourceHealthChanged>(h => h.Health.Connected, Wait);
        (await coordinator.WaitForMaintenanceModeAsync(acked[^1].Enabled, Wait)).Should().BeTrue();
    }

    [Fact]
    public async Task Must_publish_the_current_value_as_a_resync_when_history_was_compacted_while_disconnected()
    {
        await using var proxy = new TcpProxy(_etcd.ClientPort);
        var states = Listen<MaintenanceStateChanged>();
        var health = Listen<SourceHealthChanged>();
        var writer = Writer();
        await writer.PutAsync(Key, "on");
        StartCoordinator(proxy.Endpoint, Resources(1));
        (await states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait).AsTask()).Enabled.Should().BeTrue();
        await health.FishForMessageAsync<SourceHealthChanged>(h => h.Health.Connected, Wait);

        proxy.Cut();
        await health.FishForMessageAsync<SourceHealthChanged>(h => !h.Health.Connected, Wait);
        await writer.PutAsync(Key, "off");
        var current = await writer.PutAsync(Key, """{"enabled":true,"reason":"compacted meanwhile"}""");
        await writer.CompactAsync(current);
        proxy.Restore();

        var resync = await states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait).AsTask();
        resync.Should().BeEquivalentTo(new { Enabled = true, Revision = current, IsResync = true });
        resync.Info!.Reason.Should().Be("compacted meanwhile");
        var next = await writer.PutAsync(Key, "off");
        (await states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait).AsTask()).Should().BeEquivalentTo(new { Enabled = false, Revision = next, IsResync = false });
    }

    [Fact]
    public async Task Must_combine_etcd_and_a_file_source()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "maintenance");
        var coordinator = StartCoordinator(_etcd.Endpoint, Resources(1), more: c => c.AddSource("file",
            () => Props.Create(() => new FileSourceActor(new FileSourceOptions { Path = file, PollInterval = TimeSpan.FromMilliseconds(100) }))));
        var writer = Writer();
        await AwaitConditionAsync(() => coordinator.GetStatusAsync().GetAwaiter().GetResult().Votes.Count == 2, Wait, "both sources report");

        await writer.PutAsync(Key, "on");
        (await coordinator.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();
        await File.WriteAllTextAsync(file, """{"enabled":true,"reason":"disk full"}""");
        await AwaitConditionAsync(() => coordinator.GetStatusAsync().GetAwaiter().GetResult().Reasons.Count == 2, Wait, "both sources say on");

        await writer.PutAsync(Key, "off");
        await AwaitConditionAsync(() => coordinator.GetStatusAsync().GetAwaiter().GetResult().Votes.Single(v => v.Source == "etcd").Enabled == false, Wait, "coordinator.GetStatusAsync().GetAwaiter().GetResult().Votes.Single(v => v.Source");
        coordinator.IsInMaintenance.Should().BeTrue("the file still says on");
        File.Delete(file);
        (await coordinator.WaitForMaintenanceModeAsync(false, Wait)).Should().BeTrue();
        (await coordinator.GetHealthAsync()).Sources.Keys.Should().BeEquivalentTo("etcd", "file");
    }

    [Fact]
    public async Task Must_write_and_read_the_key_through_the_facade()
    {
        IMaintenance coordinator = StartCoordinator(_etcd.Endpoint, Resources(1));
        await coordinator.SetMaintenanceModeAsync(true, "planned upgrade");
        (await _etcd.EtcdCtlAsync("get", Key, "--print-value-only")).Should().Contain("\"enabled\":true").And.Contain("planned upgrade");
        (await coordinator.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();
        (await coordinator.GetMaintenanceModeAsync()).Should().BeTrue();
        (await coordinator.GetStatusAsync()).Reasons.Single().Should().Contain("planned upgrade");

        await _etcd.EtcdCtlAsync("put", Key, "false");
        (await coordinator.WaitForMaintenanceModeAsync(false, Wait)).Should().BeTrue();
        (await coordinator.GetMaintenanceModeAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task Must_put_every_instance_into_maintenance_with_one_etcdctl_put()
    {
        var here = StartCoordinator(_etcd.Endpoint, Resources(2));
        var instances = new List<MaintenanceCoordinator> { here };
        for (var i = 2; i <= 3; i++)
        {
            var system = ActorSystem.Create($"instance-{i}");
            _cleanup.Add(new TerminateOnDispose(system));
            var other = new MaintenanceCoordinator(system);
            other.UseEtcd(new EtcdSourceOptions { Endpoints = { _etcd.Endpoint }, Key = Key }, _etcd.CreateClient(), ownsClient: true);
            other.RegisterResource(TestResource.Registration(new TestResourceControl("api") { IdleAtOnce = true }));
            other.Start();
            _cleanup.Add(other);
            instances.Add(other);
        }

        await _etcd.EtcdCtlAsync("put", Key, "true");
        foreach (var instance in instances)
        {
            (await instance.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();
        }
        await _etcd.EtcdCtlAsync("del", Key);
        foreach (var instance in instances)
        {
            (await instance.WaitForMaintenanceModeAsync(false, Wait)).Should().BeTrue();
        }
    }

    [Fact]
    public async Task Must_write_reason_author_and_end_time_as_JSON()
    {
        var coordinator = StartCoordinator(_etcd.Endpoint, Resources(1));
        var until = new DateTimeOffset(2026, 12, 24, 18, 0, 0, TimeSpan.Zero);
        await coordinator.SetMaintenanceModeAsync(true, new MaintenanceInfo("db migration", "alice", until));
        (await coordinator.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();
        var vote = (await coordinator.GetStatusAsync()).Votes.Single();
        vote.Info.Should().Be(new MaintenanceInfo("db migration", "alice", until));
        (await _etcd.EtcdCtlAsync("get", Key, "--print-value-only")).Should().Contain("\"until\":\"2026-12-24T18:00:00Z\"");
    }

    [Fact]
    public async Task Must_keep_the_last_state_and_warn_when_a_value_is_too_large()
    {
        var health = Listen<SourceHealthChanged>();
        var coordinator = StartCoordinator(_etcd.Endpoint, Resources(1), o => o.MaxValueBytes = 1024);
        var writer = Writer();
        await writer.PutAsync(Key, "on");
        (await coordinator.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();

        var big = await writer.PutAsync(Key, new string(' ', 2000) + "off");
        var warned = await health.FishForMessageAsync<SourceHealthChanged>(h => h.Health.Warnings.Any(w => w.Contains($"revision {big}")), Wait);
        warned.Health.Warnings.Last().Should().Contain("MaxValueBytes");
        coordinator.IsInMaintenance.Should().BeTrue("the oversized value is ignored, the last state kept");
        (await writer.PutAsync(Key, "off")).Should().BeGreaterThan(big);
        (await coordinator.WaitForMaintenanceModeAsync(false, Wait)).Should().BeTrue();
    }

    [Fact]
    public async Task Must_report_an_unreachable_endpoint_as_unhealthy_without_crashing()
    {
        var health = Listen<SourceHealthChanged>();
        var endpoint = $"http://127.0.0.1:{FreePort.Get()}";
        var coordinator = StartCoordinator(endpoint, Resources(1));
        var report = await health.FishForMessageAsync<SourceHealthChanged>(h => h.Health.LastError is not null, Wait);
        report.Health.Status.Should().Be(ComponentHealth.Unhealthy);
        report.Health.LastError.Should().Contain(endpoint.Replace("http://", ""));
        coordinator.IsInMaintenance.Should().BeFalse("the last known state (none: off) stands");
        (await coordinator.GetStatusAsync()).Votes.Should().BeEmpty();

        // Not crashed: the same watcher instance is still there, still trying, and the coordinator still answers.
        var watcher = await Sys.ActorSelection("/user/maintenance-source-etcd").ResolveOne(Wait);
        var stillTrying = await watcher.Ask<SourceHealth>(GetHealth.Instance, Wait);
        stillTrying.Should().BeEquivalentTo(new { Connected = false, Status = ComponentHealth.Unhealthy });
        stillTrying.ReconnectingSince.Should().Be(report.Health.ReconnectingSince, "one outage since start, not a restarted watcher");
        (await coordinator.GetHealthAsync()).Sources["etcd"].Connected.Should().BeFalse();
    }

    [Fact]
    public async Task Must_report_a_wrong_password_and_a_key_the_user_may_not_read()
    {
        await _etcd.EnableAuthAsync();
        await _etcd.AddReadOnlyUserAsync("reader", "reader-pw", "/other/");
        var health = Listen<SourceHealthChanged>();

        StartWatcher("wrong-password", c => { c.Username = "root"; c.Password = "not-it"; });
        StartWatcher("not-readable", c => { c.Username = "reader"; c.Password = "reader-pw"; });

        var errors = new Dictionary<string, SourceHealth>();
        while (errors.Count < 2)
        {
            var next = await health.FishForMessageAsync<SourceHealthChanged>(h => h.Health.LastError is not null, Wait);
            errors[next.Health.Source] = next.Health;
        }
        var wrong = new SourceHealthChanged(errors["wrong-password"]);
        var denied = new SourceHealthChanged(errors["not-readable"]);
        wrong.Health.Connected.Should().BeFalse();
        denied.Health.Connected.Should().BeFalse();
        _output.WriteLine($"wrong password: {wrong.Health.LastError}");
        _output.WriteLine($"not readable: {denied.Health.LastError}");
        wrong.Health.LastError.Should().Be("EtcdException: etcd Range failed: InvalidArgument: etcdserver: authentication failed, invalid user ID or password");
        denied.Health.LastError.Should().Be("EtcdException: etcd Range failed: PermissionDenied: etcdserver: permission denied");
    }

    [Fact]
    public async Task Must_report_a_server_certificate_it_cannot_trust()
    {
        await using var tls = await EtcdServer.StartAsync(new EtcdServerOptions { Tls = true });
        var health = Listen<SourceHealthChanged>();
        var untrusting = tls.CreateClient(o => o.CaCertificatePath = null);
        var trusting = tls.CreateClient();
        _cleanup.Add(new EtcdTestWriter(untrusting));
        _cleanup.Add(new EtcdTestWriter(trusting));
        var options = new EtcdSourceOptions { Endpoints = { tls.Endpoint }, Key = Key, SourceName = "untrusted" };
        Sys.ActorOf(Props.Create(() => new EtcdWatcher(options, new EtcdClientBackend(untrusting), null, null)), "untrusted");
        var trustedOptions = new EtcdSourceOptions { Endpoints = { tls.Endpoint }, Key = Key, SourceName = "trusted" };
        Sys.ActorOf(Props.Create(() => new EtcdWatcher(trustedOptions, new EtcdClientBackend(trusting), null, null)), "trusted");

        var seen = new Dictionary<string, SourceHealth>();
        while (!(seen.TryGetValue("untrusted", out var u) && u.LastError is not null) || !(seen.TryGetValue("trusted", out var t) && t.Connected))
        {
            var next = await health.ExpectMsgAsync<SourceHealthChanged>(duration: Wait).AsTask();
            seen[next.Health.Source] = next.Health;
        }
        _output.WriteLine($"untrusted: {seen["untrusted"].LastError}");
        seen["untrusted"].Connected.Should().BeFalse();
        seen["untrusted"].LastError.Should().StartWith("EtcdException: etcd Range failed: ")
            .And.EndWith("(TLS: the server certificate 'CN=127.0.0.1' is not trusted by the system store (RemoteCertificateChainErrors); set CaCertificatePath to the CA that signed it)");
    }

    private void StartWatcher(string name, Action<EtcdSourceOptions> client)
    {
        var etcdClient = _etcd.CreateClient(client);
        _cleanup.Add(new EtcdTestWriter(etcdClient));
        var options = new EtcdSourceOptions { Endpoints = { _etcd.Endpoint }, Key = Key, SourceName = name };
        Sys.ActorOf(Props.Create(() => new EtcdWatcher(options, new EtcdClientBackend(etcdClient), null)), name);
    }

    private sealed class TerminateOnDispose(ActorSystem system) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await system.Terminate();
    }
}
