using Akka.Actor;
using MaintenanceActors.Testing;
using MaintenanceActors.Tests.Support;
using Xunit.Abstractions;

namespace MaintenanceActors.Tests.Supervision;

public sealed class MaintenanceSupervisorSpec(ITestOutputHelper output) : MaintenanceTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private long _revision;

    private IActorRef StartSupervisor(IEnumerable<TestResourceControl> resources, MaintenanceOptions? options = null,
        MaintenanceEventFilter? filter = null, Func<TestResourceControl, TimeSpan?>? drainTimeout = null)
    {
        var registrations = resources.Select(c => TestResource.Registration(c, drainTimeout?.Invoke(c))).ToArray();
        var supervisor = Sys.ActorOf(Props.Create(() => new MaintenanceSupervisor(
            options ?? new MaintenanceOptions { RestartMinBackoff = TimeSpan.FromMilliseconds(10), RestartMaxBackoff = TimeSpan.FromMilliseconds(50) },
            registrations, filter)), "supervisor");
        Sys.EventStream.Subscribe(TestActor, typeof(MaintenanceTransitionCompleted));
        // Ask once so PreStart (EventStream subscription, children) has run before the test publishes.
        supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait).GetAwaiter().GetResult();
        return supervisor;
    }

    private void Publish(bool enabled, string source = "etcd", string key = "/maintenance/svc", string? reason = null) =>
        Sys.EventStream.Publish(new MaintenanceStateChanged(source, key, enabled, reason is null ? null : new MaintenanceInfo(reason),
            Interlocked.Increment(ref _revision), Sys.Scheduler.Now));

    private static TestResourceControl[] Controls(int count, string prefix = "r") =>
        Enumerable.Range(1, count).Select(i => new TestResourceControl($"{prefix}{i}") { InFlight = 1 }).ToArray();

    [Fact]
    public async Task Must_drain_every_resource_concurrently_so_entering_takes_the_slowest_not_the_sum()
    {
        var controls = Controls(8);
        var supervisor = StartSupervisor(controls);

        Publish(true);
        // All eight are waiting for idle at the same time before any is released: the drains overlap.
        await Task.WhenAll(controls.Select(c => c.DrainStarted.Task)).WaitAsync(Wait);
        controls.Should().OnlyContain(c => c.DrainsStarted == 1 && !c.IntakeOpen);
        foreach (var control in controls) control.ReleaseIdle();

        var done = await ExpectMsgAsync<MaintenanceTransitionCompleted>(duration: Wait);
        done.Enabled.Should().BeTrue();
        done.Succeeded.Should().BeTrue();
        done.Drains.Select(d => d.Resource).Should().BeEquivalentTo(controls.Select(c => c.Name));
        done.Drains.Should().OnlyContain(d => d.Outcome == DrainOutcome.Drained && d.Duration <= done.Duration);
        var status = await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait);
        status.Should().BeEquivalentTo(new { InMaintenance = true, AppliedEnabled = true, TransitionInProgress = false, Epoch = 1L });
    }

    [Fact]
    public async Task Must_report_a_resource_that_never_finishes_as_TimedOut_with_its_in_flight_count_and_stay_in_maintenance()
    {
        var stuck = new TestResourceControl("stuck") { InFlight = 7 };
        var quick = new TestResourceControl("quick") { IdleAtOnce = true };
        var supervisor = StartSupervisor(new[] { stuck, quick }, drainTimeout: c => c == stuck ? TimeSpan.FromMilliseconds(300) : null);

        Publish(true);
        var done = await ExpectMsgAsync<MaintenanceTransitionCompleted>(duration: Wait);
        done.Drains.Single(d => d.Resource == "stuck").Should().BeEquivalentTo(new { Outcome = DrainOutcome.TimedOut, InFlightAtDeadline = 7L });
        done.Drains.Single(d => d.Resource == "quick").Outcome.Should().Be(DrainOutcome.Drained);
        done.Succeeded.Should().BeFalse();
        stuck.IntakeOpen.Should().BeFalse();
        var status = await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait);
        status.InMaintenance.Should().BeTrue();
        status.AppliedEnabled.Should().BeTrue();
    }

    [Fact]
    public async Task Must_restart_a_resource_that_throws_while_draining_leave_the_others_alone_and_reapply_the_state()
    {
        var controls = Controls(3);
        foreach (var c in controls) c.IdleAtOnce = true;
        controls[1].FailDrains = 1;
        var supervisor = StartSupervisor(controls);

        Publish(true);
        var done = await ExpectMsgAsync<MaintenanceTransitionCompleted>(duration: Wait);
        done.Drains.Single(d => d.Resource == "r2").Outcome.Should().Be(DrainOutcome.Failed);
        done.Drains.Where(d => d.Resource != "r2").Should().OnlyContain(d => d.Outcome == DrainOutcome.Drained);

        await AwaitConditionAsync(() => controls[1].Starts == 2 && controls[1].DrainsStarted == 2, Wait, "r2 restarts and drains again");
        controls[0].Starts.Should().Be(1);
        controls[2].Starts.Should().Be(1);
        await AwaitConditionAsync(async () => (await supervisor.Ask<ResourceStatsReport>(GetResourceStats.Instance, Wait))
            .Resources.All(r => r.State == ResourceState.InMaintenance), Wait, "every resource, the restarted one too, is in maintenance");
        controls.Should().OnlyContain(c => !c.IntakeOpen);
    }

    [Fact]
    public async Task Must_resume_when_exit_arrives_while_draining_and_report_the_enter_Superseded()
    {
        var slow = new TestResourceControl("slow") { InFlight = 1 };
        var supervisor = StartSupervisor(new[] { slow });

        Publish(true);
        await slow.DrainStarted.Task.WaitAsync(Wait);
        Publish(false);

        var first = await ExpectMsgAsync<MaintenanceTransitionCompleted>(duration: Wait);
        var second = await ExpectMsgAsync<MaintenanceTransitionCompleted>(duration: Wait);
        var (enter, exit) = first.Enabled ? (first, second) : (second, first);
        enter.Superseded.Should().BeTrue();
        enter.Drains.Single().Outcome.Should().Be(DrainOutcome.Superseded);
        exit.Epoch.Should().BeGreaterThan(enter.Epoch);
        exit.Superseded.Should().BeFalse();
        exit.Resumes.Single().Outcome.Should().Be(ResumeOutcome.Resumed);
        slow.IntakeOpen.Should().BeTrue();
        (await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait)).Should()
            .BeEquivalentTo(new { InMaintenance = false, AppliedEnabled = false, TransitionInProgress = false });
    }

    [Fact]
    public async Task Must_answer_status_health_and_stats_at_once_while_a_drain_is_in_progress()
    {
        var slow = new TestResourceControl("slow") { InFlight = 2 };
        var supervisor = StartSupervisor(new[] { slow });

        Publish(true, reason: "db upgrade");
        await slow.DrainStarted.Task.WaitAsync(Wait);

        var status = await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait);
        status.InMaintenance.Should().BeTrue();
        status.TransitionInProgress.Should().BeTrue();
        status.Reasons.Should().ContainSingle().Which.Should().Contain("db upgrade");
        var health = await supervisor.Ask<MaintenanceHealthReport>(GetHealth.Instance, Wait);
        health.Resources.Keys.Should().Equal("slow");
        var stats = await supervisor.Ask<ResourceStatsReport>(GetResourceStats.Instance, Wait);
        stats.Resources.Single().Should().BeEquivalentTo(new { Resource = "slow", State = ResourceState.Draining, InFlight = 2L });
        slow.ReleaseIdle();
        (await ExpectMsgAsync<MaintenanceTransitionCompleted>(duration: Wait)).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task Must_stay_in_maintenance_while_any_source_says_on_and_list_each_reason()
    {
        var control = new TestResourceControl("api") { IdleAtOnce = true };
        var supervisor = StartSupervisor(new[] { control });

        Publish(true, "etcd", reason: "etcd says so");
        await ExpectMsgAsync<MaintenanceTransitionCompleted>(m => m.Enabled, Wait);
        Publish(true, "file", "/etc/maint", reason: "file says so");
        var status = await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait);
        status.Reasons.Should().HaveCount(2);
        status.Votes.Select(v => v.Source).Should().Equal("etcd", "file");

        Publish(false, "etcd");
        (await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait)).InMaintenance.Should().BeTrue("the file still says on");
        Publish(false, "file", "/etc/maint");
        var exit = await ExpectMsgAsync<MaintenanceTransitionCompleted>(m => !m.Enabled, Wait);
        exit.Epoch.Should().Be(2, "only the combined state starts transitions");
        control.IntakeOpen.Should().BeTrue();
    }

    [Fact]
    public async Task Must_ignore_events_its_filter_rejects_and_stale_revisions()
    {
        var control = new TestResourceControl("api") { IdleAtOnce = true };
        var supervisor = StartSupervisor(new[] { control }, filter: MaintenanceEventFilter.FromSources("etcd"));

        Publish(true, "webhook");
        Sys.EventStream.Publish(new MaintenanceStateChanged("etcd", "/k", true, null, 10, Sys.Scheduler.Now));
        await ExpectMsgAsync<MaintenanceTransitionCompleted>(m => m.Enabled, Wait);
        Sys.EventStream.Publish(new MaintenanceStateChanged("etcd", "/k", false, null, 9, Sys.Scheduler.Now));
        var status = await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait);
        status.InMaintenance.Should().BeTrue("revision 9 is older than 10");
        status.Votes.Should().ContainSingle().Which.Source.Should().Be("etcd");
    }

    [Fact]
    public async Task Must_end_in_the_last_state_after_a_thousand_toggles_without_deadlock()
    {
        var controls = Controls(4);
        foreach (var c in controls) c.IdleAtOnce = true;
        // r1 is slow to take its first Enter: its mailbox holds everything sent to it meanwhile, so the first two
        // transitions (enter, then the exit superseding it) stay outstanding while the storm arrives.
        using var hold = new ManualResetEventSlim();
        controls[0].HoldAccept = hold;
        var supervisor = StartSupervisor(controls);

        for (var i = 1; i <= 1000; i++)
        {
            Publish(i % 2 == 1); // ends with 1000 -> off ... then one more on
        }
        Publish(true);

        await controls[0].Holding.Task.WaitAsync(Wait);
        // Asked after the 1001 events, so answered after the supervisor took every one of them.
        var storm = await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait);
        storm.Should().BeEquivalentTo(new { InMaintenance = true, TransitionInProgress = true, Epoch = 2L },
            "event 1 starts epoch 1, event 2 epoch 2; with two transitions outstanding the other 999 only move the desired state");
        hold.Set();

        var waited = await supervisor.Ask<bool>(new WaitForMaintenanceMode(true), Wait);
        waited.Should().BeTrue();
        var status = await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait);
        status.Should().BeEquivalentTo(new { InMaintenance = true, AppliedEnabled = true, TransitionInProgress = false });
        // The protocol allows at most two outstanding transitions and sends only the latest desired state when a slot
        // frees: the storm costs one more transition (epoch 3, on), not one per toggle.
        status.Epoch.Should().Be(3, "toggles that arrive while transitions are in flight are coalesced into the last state");
        var stats = await supervisor.Ask<ResourceStatsReport>(GetResourceStats.Instance, Wait);
        stats.Resources.Should().HaveCount(4).And.OnlyContain(r => r.State == ResourceState.InMaintenance);
        controls.Should().OnlyContain(c => !c.IntakeOpen);
    }

    [Fact]
    public async Task Must_answer_a_waiter_when_the_state_is_applied_and_let_an_unmet_wait_time_out()
    {
        var control = new TestResourceControl("api") { InFlight = 1 };
        var supervisor = StartSupervisor(new[] { control });

        (await supervisor.Ask<bool>(new WaitForMaintenanceMode(false), Wait)).Should().BeTrue("nothing asked for maintenance yet");
        var waitOn = supervisor.Ask<bool>(new WaitForMaintenanceMode(true), Wait);
        Publish(true);
        await control.DrainStarted.Task.WaitAsync(Wait);
        waitOn.IsCompleted.Should().BeFalse("the drain is not finished");
        control.ReleaseIdle();
        (await waitOn).Should().BeTrue();

        var unmet = () => supervisor.Ask<bool>(new WaitForMaintenanceMode(false), TimeSpan.FromMilliseconds(200));
        await unmet.Should().ThrowAsync<AskTimeoutException>();
    }

    [Fact]
    public async Task Must_reject_a_duplicate_resource_added_at_run_time()
    {
        var supervisor = StartSupervisor(new[] { new TestResourceControl("api") });
        // Akka's Ask hands a Status.Failure answer over as a message (Ask<Status.Success> would throw ArgumentException about its type).
        var again = await supervisor.Ask<Status>(new AddResource(TestResource.Registration(new TestResourceControl("api"))), Wait);
        again.Should().BeOfType<Status.Failure>().Which.Cause.Should().BeOfType<MaintenanceConfigurationException>()
            .Which.Message.Should().Be("Maintenance:Resources:api is registered twice; give each resource a unique name");
        await supervisor.Ask<Status.Success>(new AddResource(TestResource.Registration(new TestResourceControl("db"))), Wait);
        (await supervisor.Ask<IReadOnlyList<string>>(GetResourceNames.Instance, Wait)).Should().Equal("api", "db");
    }

    [Fact]
    public async Task Must_tell_resources_in_maintenance_a_changed_reason_without_draining_again()
    {
        var control = new TestResourceControl("api") { IdleAtOnce = true };
        var supervisor = StartSupervisor(new[] { control });
        // The first step is the start-up: the supervisor tells a new resource the current state (running).
        // Wait for it, or the first Enter may overtake the resource's start-up report and be its first step.
        await AwaitConditionAsync(() => control.Steps.Contains("resumed:0:no info:intake open"), Wait, "the resource has started");
        Publish(true, reason: "upgrade");
        (await ExpectMsgAsync<MaintenanceTransitionCompleted>(duration: Wait)).Enabled.Should().BeTrue();

        Publish(true, reason: "upgrade, extended");

        await AwaitConditionAsync(() => control.Steps.Contains("stop:upgrade, extended"), Wait, "the resource refuses with the new reason");
        control.Steps.Should().Equal("resumed:0:no info:intake open", "accepted:1:upgrade:intake open", "stop:upgrade", "stop:upgrade, extended");
        control.DrainsStarted.Should().Be(1);
        (await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait)).Epoch.Should().Be(1, "no new transition was started");
    }
}
