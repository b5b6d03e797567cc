using Akka.Actor;
using Akka.TestKit;
using MaintenanceActors.Testing;
using MaintenanceActors.Etcd;
using MaintenanceActors.Tests.Support;

namespace MaintenanceActors.Tests.Etcd;

public sealed class EtcdWatcherSpec : VirtualClockTestKit
{
    private const string Key = "/maintenance/svc";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly FakeEtcdBackend _etcd = new();
    private readonly TestProbe _states;
    private readonly TestProbe _health;

    public EtcdWatcherSpec(Xunit.Abstractions.ITestOutputHelper output) : base(output)
    {
        _states = CreateTestProbe("states");
        _health = CreateTestProbe("health");
        Sys.EventStream.Subscribe(_states, typeof(MaintenanceStateChanged));
        Sys.EventStream.Subscribe(_health, typeof(SourceHealthChanged));
    }

    private IActorRef StartWatcher(bool prefix = false, int maxValueBytes = 64 * 1024, EtcdWatcherMemory? memory = null, string name = "etcd-watcher")
    {
        var options = new EtcdSourceOptions
        {
            Endpoints = { "127.0.0.1:2379" },
            Key = prefix ? "/maintenance/" : Key,
            Prefix = prefix,
            ReconnectMinBackoff = TimeSpan.FromMilliseconds(200),
            ReconnectMaxBackoff = TimeSpan.FromSeconds(2),
            ReconnectJitter = 0,
            MaxValueBytes = maxValueBytes,
        };
        return Sys.ActorOf(Props.Create(() => new EtcdWatcher(options, _etcd, new Random(1), memory)), name);
    }

    /// <summary>Moves time once the watcher has scheduled its retry (the retry timer is the only timer here).</summary>
    private async Task Advance(TimeSpan by)
    {
        await AwaitConditionAsync(() => Time.PendingCount > 0, Wait, "the watcher schedules a retry");
        Time.Advance(by);
    }

    private Task<MaintenanceStateChanged> NextState() => _states.ExpectMsgAsync<MaintenanceStateChanged>(duration: Wait).AsTask();

    private Task<SourceHealthChanged> HealthWhere(Predicate<SourceHealth> predicate) =>
        _health.FishForMessageAsync<SourceHealthChanged>(h => predicate(h.Health), Wait).AsTask();

    [Fact]
    public async Task Must_read_the_key_then_watch_from_the_read_revision_plus_one()
    {
        var written = _etcd.Put(Key, "true");
        StartWatcher();

        var first = await NextState();
        first.Should().BeEquivalentTo(new { Source = "etcd", Key, Enabled = true, Revision = written, IsResync = false });
        await HealthWhere(h => h.Connected);
        await AwaitConditionAsync(() => _etcd.WatchStarts.Count == 1, Wait, "the watch starts right after the read");
        _etcd.WatchStarts.Should().Equal(written + 1);

        var off = _etcd.Put(Key, "off");
        (await NextState()).Should().BeEquivalentTo(new { Enabled = false, Revision = off });
    }

    [Fact]
    public async Task Must_publish_off_once_for_a_missing_key_and_then_follow_changes()
    {
        StartWatcher();
        (await NextState()).Enabled.Should().BeFalse();
        var on = _etcd.Put(Key, """{"enabled":true,"reason":"upgrade","by":"ops"}""");
        var state = await NextState();
        state.Should().BeEquivalentTo(new { Enabled = true, Revision = on });
        state.Info!.Reason.Should().Be("upgrade");
        var deleted = _etcd.Delete(Key);
        (await NextState()).Should().BeEquivalentTo(new { Enabled = false, Revision = deleted });
    }

    [Fact]
    public async Task Must_resume_from_the_last_seen_revision_with_exponential_backoff_and_report_reconnecting()
    {
        StartWatcher();
        await NextState();
        var seen = _etcd.Put(Key, "on");
        await NextState();
        await HealthWhere(h => h.Connected);

        _etcd.Reachable = false;
        _etcd.Disconnect();
        var down = await HealthWhere(h => !h.Connected);
        down.Health.ReconnectingSince.Should().Be(Time.GetUtcNow());
        down.Health.LastError.Should().Contain("connection reset");
        down.Health.Status.Should().Be(ComponentHealth.Unhealthy);
        var missed = new[] { _etcd.Put(Key, "off"), _etcd.Put(Key, "on"), _etcd.Put(Key, "off") };

        var attempts = _etcd.Attempts;
        await Advance(TimeSpan.FromMilliseconds(199));
        _etcd.Attempts.Should().Be(attempts, "the first retry waits the minimum backoff");
        await Advance(TimeSpan.FromMilliseconds(1));
        await AwaitConditionAsync(() => _etcd.Attempts == attempts + 1, Wait, "_etcd.Attempts == attempts + 1");
        await Advance(TimeSpan.FromMilliseconds(399));
        _etcd.Attempts.Should().Be(attempts + 1, "the second retry waits twice as long");
        await Advance(TimeSpan.FromMilliseconds(1));
        await AwaitConditionAsync(() => _etcd.Attempts == attempts + 2, Wait, "_etcd.Attempts == attempts + 2");

        _etcd.Reachable = true;
        await Advance(TimeSpan.FromMilliseconds(800));
        var replayed = new[] { await NextState(), await NextState(), await NextState() };
        replayed.Select(s => s.Revision).Should().Equal(missed);
        replayed.Select(s => s.Enabled).Should().Equal(false, true, false);
        _etcd.WatchStarts.Last().Should().Be(seen + 1);
        var up = await HealthWhere(h => h.Connected);
        up.Health.ReconnectingSince.Should().BeNull();
        (await Sys.ActorOf(Props.Create(() => new EtcdWatcher(new EtcdSourceOptions { Endpoints = { "x:1" }, Key = Key, SourceName = "other" }, _etcd, null)))
            .Ask<SourceHealth>(GetHealth.Instance, Wait)).Source.Should().Be("other");
    }

    [Fact]
    public async Task Must_advance_the_resume_revision_on_progress_notifications()
    {
        var watcher = StartWatcher();
        await NextState();
        await HealthWhere(h => h.Connected);
        _etcd.Unrelated();
        var latest = _etcd.Unrelated();
        _etcd.SendProgress();
        (await WatcherHealth(watcher, latest)).LastRevision.Should().Be(latest);

        _etcd.Disconnect();
        await HealthWhere(h => !h.Connected);
        await Advance(TimeSpan.FromMilliseconds(200));
        await AwaitConditionAsync(() => _etcd.WatchStarts.Count == 2, Wait, "_etcd.WatchStarts.Count == 2");
        _etcd.WatchStarts.Last().Should().Be(latest + 1);
    }

    [Fact]
    public async Task Must_reread_after_compaction_and_publish_the_current_value_as_a_resync()
    {
        StartWatcher();
        await NextState();
        await HealthWhere(h => h.Connected);
        _etcd.Disconnect();
        await HealthWhere(h => !h.Connected);
        _etcd.Put(Key, "on");
        var current = _etcd.Put(Key, """{"enabled":true,"reason":"after compaction"}""");
        _etcd.Compact();

        await Advance(TimeSpan.FromMilliseconds(200));
        var resync = await NextState();
        resync.Should().BeEquivalentTo(new { Enabled = true, Revision = current, IsResync = true });
        resync.Info!.Reason.Should().Be("after compaction");
        await AwaitConditionAsync(() => _etcd.WatchStarts.Count == 3, Wait, "first watch, the compacted one, and the one after the re-read");
        _etcd.WatchStarts.Last().Should().Be(current + 1);

        var next = _etcd.Put(Key, "off");
        (await NextState()).Should().BeEquivalentTo(new { Enabled = false, Revision = next, IsResync = false });
    }

    [Fact]
    public async Task Must_never_publish_the_same_key_and_revision_twice()
    {
        _etcd.ReplayOverlap = 3;
        _etcd.Put(Key, "on");
        StartWatcher();
        await NextState();
        for (var round = 0; round < 3; round++)
        {
            _etcd.Put(Key, round % 2 == 0 ? "off" : "on");
            await NextState();
            _etcd.Disconnect();
            await HealthWhere(h => !h.Connected);
            await Advance(TimeSpan.FromMilliseconds(200));
            await HealthWhere(h => h.Connected);
        }
        var last = _etcd.Put(Key, "maintenance");
        (await NextState()).Revision.Should().Be(last, "replayed revisions were dropped, so the next event is the new one");
        await _states.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Must_keep_the_last_state_and_report_unhealthy_while_etcd_is_unreachable()
    {
        _etcd.Reachable = false;
        var watcher = StartWatcher();
        var health = await HealthWhere(h => h.LastError is not null);
        health.Health.Should().BeEquivalentTo(new { Connected = false, Status = ComponentHealth.Unhealthy });
        health.Health.LastError.Should().Contain("connection refused");
        (await watcher.Ask<SourceHealth>(GetHealth.Instance, Wait)).Connected.Should().BeFalse();
        await _states.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        _etcd.Reachable = true;
        _etcd.Put(Key, "yes");
        await Advance(TimeSpan.FromSeconds(1));
        (await NextState()).Enabled.Should().BeTrue();
    }

    [Fact]
    public async Task Must_keep_the_last_state_on_malformed_and_oversized_values_and_report_Degraded_until_a_valid_one()
    {
        StartWatcher(maxValueBytes: 64);
        await NextState();
        var on = _etcd.Put(Key, "{\"enabled\":true,\"reason\":\"upgrade\"}");
        (await NextState()).Should().BeEquivalentTo(new { Enabled = true, Revision = on });

        var big = _etcd.Put(Key, new string('x', 65));
        var tooBig = await HealthWhere(h => h.Warnings.Count > 0);
        tooBig.Health.Status.Should().Be(ComponentHealth.Degraded);
        tooBig.Health.Warnings.Last().Should().Contain($"revision {big}").And.Contain("MaxValueBytes");

        // A typo while in maintenance: a malformed value, then one with an invalid field. Neither ends maintenance.
        var malformed = _etcd.Put(Key, "{\"enabled\":tru");
        var warned = await HealthWhere(h => h.Warnings.Any(w => w.Contains($"revision {malformed}")));
        warned.Health.Status.Should().Be(ComponentHealth.Degraded);
        warned.Health.Warnings.Last().Should().StartWith($"maintenance value of '{Key}' at revision {malformed} is malformed: the value is not valid JSON")
            .And.EndWith("; kept the last known state");
        var badField = _etcd.Put(Key, "{\"enabled\":true,\"until\":\"tomorrow\"}");
        (await HealthWhere(h => h.Warnings.Any(w => w.Contains($"revision {badField}")))).Health.Warnings.Last()
            .Should().Contain("field \"until\" is \"tomorrow\"");

        // Only a valid value changes the state again, and health recovers with it.
        var off = _etcd.Put(Key, "off");
        var next = await NextState();
        next.Should().BeEquivalentTo(new { Enabled = false, Revision = off }, "no state was published for the three unusable values");
        (await HealthWhere(h => h.Status == ComponentHealth.Healthy)).Health.Connected.Should().BeTrue();
        on.Should().BeLessThan(big);
    }

    [Fact]
    public async Task Must_watch_every_key_under_a_prefix()
    {
        _etcd.Put("/maintenance/a", "on");
        StartWatcher(prefix: true);
        (await NextState()).Key.Should().Be("/maintenance/a");
        _etcd.Put("/maintenance/b", "on");
        (await NextState()).Key.Should().Be("/maintenance/b");
        _etcd.Put("/other", "on");
        _etcd.Delete("/maintenance/a");
        (await NextState()).Should().BeEquivalentTo(new { Key = "/maintenance/a", Enabled = false });
    }

    private async Task<SourceHealth> WatcherHealth(IActorRef watcher, long atLeast)
    {
        SourceHealth health = null!;
        await AwaitConditionAsync(() => (health = watcher.Ask<SourceHealth>(GetHealth.Instance, Wait).GetAwaiter().GetResult()).LastRevision >= atLeast, Wait, "(health = watcher.Ask<SourceHealth>(GetHealth.Instance, Wait).GetAwaiter().GetRe");
        return health;
    }

    [Fact]
    public async Task Must_not_publish_again_what_an_earlier_incarnation_published()
    {
        var memory = new EtcdWatcherMemory();
        _etcd.Put(Key, "on");
        var first = StartWatcher(memory: memory);
        await NextState();
        await HealthWhere(h => h.Connected);
        Watch(first);
        Sys.Stop(first);
        await ExpectTerminatedAsync(first, Wait);

        StartWatcher(memory: memory, name: "etcd-watcher-2");
        await HealthWhere(h => h.Connected);
        var next = _etcd.Put(Key, "off");
        (await NextState()).Revision.Should().Be(next, "revision 2 was published by the first incarnation");
        _etcd.WatchStarts.Last().Should().Be(next, "the second incarnation resumed after what the first had seen");
    }

    [Fact]
    public async Task Must_tell_its_current_values_to_a_supervisor_that_starts_later()
    {
        var on = _etcd.Put(Key, """{"enabled":true,"reason":"before the supervisor"}""");
        StartWatcher();
        await NextState();
        var control = new Support.TestResourceControl("api") { IdleAtOnce = true };
        var supervisor = Sys.ActorOf(Props.Create(() => new MaintenanceSupervisor(new MaintenanceOptions(), new[] { Support.TestResource.Registration(control) }, null)));

        await AwaitConditionAsync(() => supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait).GetAwaiter().GetResult().AppliedEnabled, Wait,
            "the supervisor learns the state it missed and applies it");
        var status = await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait);
        status.Votes.Single().Revision.Should().Be(on);
        control.IntakeOpen.Should().BeFalse();
        await _states.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }
}
