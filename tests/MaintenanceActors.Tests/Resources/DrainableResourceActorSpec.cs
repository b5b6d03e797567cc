using Akka.Actor;
using MaintenanceActors.Testing;
using MaintenanceActors.Tests.Support;
using Xunit.Abstractions;

namespace MaintenanceActors.Tests.Resources;

public sealed class DrainableResourceActorSpec(ITestOutputHelper output) : VirtualClockTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private DateTimeOffset In(TimeSpan span) => Time.GetUtcNow() + span;

    [Fact]
    public async Task Must_stop_intake_wait_for_idle_and_answer_Drained()
    {
        var control = new TestResourceControl("http") { InFlight = 2 };
        var resource = Sys.ActorOf(TestResource.Props(control), "http");

        resource.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(30))), TestActor);
        await control.DrainStarted.Task.WaitAsync(Wait);
        control.IntakeOpen.Should().BeFalse();
        var stats = await resource.Ask<ResourceStats>(GetResourceStats.Instance, Wait);
        stats.State.Should().Be(ResourceState.Draining, "queries are answered while the drain waits");
        stats.InFlight.Should().Be(2);

        Time.Advance(TimeSpan.FromSeconds(3));
        control.ReleaseIdle();
        var done = await ExpectMsgAsync<DrainCompleted>(duration: Wait);
        done.Should().BeEquivalentTo(new { Resource = "http", Epoch = 1L, Outcome = DrainOutcome.Drained, InFlightAtDeadline = 0L });
        done.Duration.Should().Be(TimeSpan.FromSeconds(3));
        (await resource.Ask<ResourceStats>(GetResourceStats.Instance, Wait)).State.Should().Be(ResourceState.InMaintenance);
    }

    [Fact]
    public async Task Must_answer_TimedOut_with_what_is_in_flight_and_keep_intake_stopped()
    {
        var control = new TestResourceControl("kafka") { InFlight = 3 };
        var resource = Sys.ActorOf(TestResource.Props(control), "kafka");

        resource.Tell(new EnterMaintenance(4, In(TimeSpan.FromSeconds(5))), TestActor);
        await control.DrainStarted.Task.WaitAsync(Wait);
        Time.Advance(TimeSpan.FromSeconds(5));

        var done = await ExpectMsgAsync<DrainCompleted>(duration: Wait);
        done.Outcome.Should().Be(DrainOutcome.TimedOut);
        done.InFlightAtDeadline.Should().Be(3);
        control.IntakeOpen.Should().BeFalse("a timed-out drain still refuses new work");
        var health = await resource.Ask<ResourceHealth>(GetHealth.Instance, Wait);
        health.Status.Should().Be(ComponentHealth.Degraded);
    }

    [Fact]
    public async Task Must_resume_at_once_when_told_to_exit_while_draining_and_answer_the_enter_Superseded()
    {
        var control = new TestResourceControl("grpc") { InFlight = 1 };
        var resource = Sys.ActorOf(TestResource.Props(control), "grpc");
        var enterProbe = CreateTestProbe("enter");

        resource.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(30))), enterProbe);
        await control.DrainStarted.Task.WaitAsync(Wait);
        resource.Tell(new ExitMaintenance(2), TestActor);

        (await enterProbe.ExpectMsgAsync<DrainCompleted>(duration: Wait)).Outcome.Should().Be(DrainOutcome.Superseded);
        var resumed = await ExpectMsgAsync<ResumeCompleted>(duration: Wait);
        resumed.Should().BeEquivalentTo(new { Resource = "grpc", Epoch = 2L, Outcome = ResumeOutcome.Resumed });
        control.IntakeOpen.Should().BeTrue();
        (await resource.Ask<ResourceStats>(GetResourceStats.Instance, Wait)).State.Should().Be(ResourceState.Running);
    }

    [Fact]
    public async Task Must_wait_the_intake_grace_period_before_stopping_intake()
    {
        var control = new TestResourceControl("web") { IdleAtOnce = true };
        var resource = Sys.ActorOf(TestResource.Props(control, grace: TimeSpan.FromSeconds(2)), "web");

        resource.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(30))), TestActor);
        (await resource.Ask<ResourceStats>(GetResourceStats.Instance, Wait)).State.Should().Be(ResourceState.Draining);
        control.IntakeOpen.Should().BeTrue("readiness goes unhealthy first; intake stops after the grace period");

        Time.Advance(TimeSpan.FromSeconds(2));
        (await ExpectMsgAsync<DrainCompleted>(duration: Wait)).Outcome.Should().Be(DrainOutcome.Drained);
        control.IntakeOpen.Should().BeFalse();
    }

    [Fact]
    public async Task Must_answer_a_stale_exit_Superseded_and_keep_draining()
    {
        var control = new TestResourceControl("db") { InFlight = 1 };
        var resource = Sys.ActorOf(TestResource.Props(control), "db");

        resource.Tell(new EnterMaintenance(5, In(TimeSpan.FromSeconds(30))), TestActor);
        await control.DrainStarted.Task.WaitAsync(Wait);
        resource.Tell(new ExitMaintenance(4), TestActor);
        (await ExpectMsgAsync<ResumeCompleted>(duration: Wait)).Outcome.Should().Be(ResumeOutcome.Superseded);

        control.ReleaseIdle();
        (await ExpectMsgAsync<DrainCompleted>(duration: Wait)).Should().BeEquivalentTo(new { Epoch = 5L, Outcome = DrainOutcome.Drained });
    }

    [Fact]
    public async Task Must_report_a_failing_drain_as_Failed_and_restart()
    {
        var control = new TestResourceControl("sqs") { FailDrains = 1 };
        var resource = Sys.ActorOf(TestResource.Props(control), "sqs");
        await control.Started.Task.WaitAsync(Wait);

        resource.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(30))), TestActor);
        var done = await ExpectMsgAsync<DrainCompleted>(duration: Wait);
        done.Outcome.Should().Be(DrainOutcome.Failed);
        done.Error.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain("broke while draining");
        await AwaitConditionAsync(() => control.Starts == 2, Wait, "the default strategy restarts the resource");
    }

    [Fact]
    public async Task Must_drain_once_and_answer_both_when_the_same_epoch_arrives_twice()
    {
        var control = new TestResourceControl("api") { InFlight = 1 };
        var resource = Sys.ActorOf(TestResource.Props(control), "api");
        var second = CreateTestProbe("second");

        resource.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(30))), TestActor);
        await control.DrainStarted.Task.WaitAsync(Wait);
        resource.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(30))), second);
        (await resource.Ask<ResourceStats>(GetResourceStats.Instance, Wait)).State.Should().Be(ResourceState.Draining);
        control.ReleaseIdle();

        (await ExpectMsgAsync<DrainCompleted>(duration: Wait)).Outcome.Should().Be(DrainOutcome.Drained);
        (await second.ExpectMsgAsync<DrainCompleted>(duration: Wait)).Outcome.Should().Be(DrainOutcome.Drained);
        control.DrainsStarted.Should().Be(1);
    }

    [Fact]
    public async Task Must_give_the_subclass_the_maintenance_info_before_the_grace_period_and_clear_it_on_resume()
    {
        var control = new TestResourceControl("web") { IdleAtOnce = true };
        var resource = Sys.ActorOf(TestResource.Props(control, grace: TimeSpan.FromSeconds(2)), "web");

        resource.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(30)), new MaintenanceInfo("db upgrade")), TestActor);
        (await resource.Ask<ResourceStats>(GetResourceStats.Instance, Wait)).State.Should().Be(ResourceState.Draining);
        control.Steps.Should().Equal("accepted:1:db upgrade:intake open");

        Time.Advance(TimeSpan.FromSeconds(2));
        (await ExpectMsgAsync<DrainCompleted>(duration: Wait)).Outcome.Should().Be(DrainOutcome.Drained);
        resource.Tell(new ExitMaintenance(2), TestActor);
        (await ExpectMsgAsync<ResumeCompleted>(duration: Wait)).Outcome.Should().Be(ResumeOutcome.Resumed);

        control.Steps.Should().Equal("accepted:1:db upgrade:intake open", "stop:db upgrade", "resumed:2:no info:intake open");
    }

    [Fact]
    public async Task Must_give_a_newer_enter_its_own_info_and_accept_it_again()
    {
        var control = new TestResourceControl("queue") { IdleAtOnce = true };
        var resource = Sys.ActorOf(TestResource.Props(control), "queue");

        resource.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(30)), new MaintenanceInfo("first")), TestActor);
        (await ExpectMsgAsync<DrainCompleted>(duration: Wait)).Outcome.Should().Be(DrainOutcome.Drained);
        resource.Tell(new EnterMaintenance(2, In(TimeSpan.FromSeconds(30)), new MaintenanceInfo("second")), TestActor);
        (await ExpectMsgAsync<DrainCompleted>(duration: Wait)).Outcome.Should().Be(DrainOutcome.Drained);

        control.Steps.Should().Equal("accepted:1:first:intake open", "stop:first", "accepted:2:second:intake stopped", "stop:second");
    }

    [Fact]
    public async Task Must_call_OnDeadline_with_what_is_in_flight_before_answering_TimedOut()
    {
        var control = new TestResourceControl("stream") { InFlight = 3 };
        var resource = Sys.ActorOf(TestResource.Props(control), "stream");

        resource.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(5))), TestActor);
        await control.DrainStarted.Task.WaitAsync(Wait);
        Time.Advance(TimeSpan.FromSeconds(5));

        var done = await ExpectMsgAsync<DrainCompleted>(duration: Wait);
        done.Should().BeEquivalentTo(new { Outcome = DrainOutcome.TimedOut, InFlightAtDeadline = 3L });
        control.Steps.Should().Equal("accepted:1::intake open", "stop:", "deadline:3:intake stopped");
    }

    [Fact]
    public async Task Must_not_call_OnDeadline_when_the_drain_was_superseded_or_drained()
    {
        var superseded = new TestResourceControl("superseded") { InFlight = 1 };
        var drained = new TestResourceControl("drained") { InFlight = 1 };
        var first = Sys.ActorOf(TestResource.Props(superseded), "superseded");
        var second = Sys.ActorOf(TestResource.Props(drained), "drained");
        first.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(5))), TestActor);
        second.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(5))), TestActor);
        await superseded.DrainStarted.Task.WaitAsync(Wait);
        await drained.DrainStarted.Task.WaitAsync(Wait);

        first.Tell(new ExitMaintenance(2), TestActor);
        drained.ReleaseIdle();
        var answers = new[] { await ExpectMsgAsync<object>(duration: Wait), await ExpectMsgAsync<object>(duration: Wait), await ExpectMsgAsync<object>(duration: Wait) };
        answers.OfType<DrainCompleted>().Select(d => (d.Resource, d.Outcome)).Should().BeEquivalentTo(
            new[] { ("superseded", DrainOutcome.Superseded), ("drained", DrainOutcome.Drained) });
        Time.Advance(TimeSpan.FromSeconds(10));
        await first.Ask<ResourceStats>(GetResourceStats.Instance, Wait);
        await second.Ask<ResourceStats>(GetResourceStats.Instance, Wait);

        superseded.Steps.Should().NotContain(step => step.StartsWith("deadline", StringComparison.Ordinal));
        drained.Steps.Should().NotContain(step => step.StartsWith("deadline", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Must_stop_intake_when_the_deadline_passes_within_the_grace_period()
    {
        var control = new TestResourceControl("slowlb") { InFlight = 2 };
        var resource = Sys.ActorOf(TestResource.Props(control, grace: TimeSpan.FromMinutes(1)), "slowlb");

        resource.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(5))), TestActor);
        (await resource.Ask<ResourceStats>(GetResourceStats.Instance, Wait)).State.Should().Be(ResourceState.Draining);
        Time.Advance(TimeSpan.FromSeconds(5));

        (await ExpectMsgAsync<DrainCompleted>(duration: Wait)).Should().BeEquivalentTo(new { Outcome = DrainOutcome.TimedOut, InFlightAtDeadline = 2L });
        control.IntakeOpen.Should().BeFalse("a timed-out drain refuses new work even if the grace period had not passed");
        control.Steps.Should().Equal("accepted:1::intake open", "stop:", "deadline:2:intake stopped");
    }

    [Fact]
    public async Task Must_apply_a_changed_info_to_stopped_intake_and_keep_it_for_a_stop_still_to_come()
    {
        var control = new TestResourceControl("web") { IdleAtOnce = true };
        var resource = Sys.ActorOf(TestResource.Props(control, grace: TimeSpan.FromSeconds(2)), "web");
        resource.Tell(new EnterMaintenance(3, In(TimeSpan.FromSeconds(30)), new MaintenanceInfo("first")), TestActor);

        resource.Tell(new MaintenanceInfoChanged(3, new MaintenanceInfo("during grace")), TestActor);
        (await resource.Ask<ResourceStats>(GetResourceStats.Instance, Wait)).State.Should().Be(ResourceState.Draining);
        control.IntakeOpen.Should().BeTrue("a changed reason does not cut the grace period short");
        Time.Advance(TimeSpan.FromSeconds(2));
        (await ExpectMsgAsync<DrainCompleted>(duration: Wait)).Outcome.Should().Be(DrainOutcome.Drained);
        resource.Tell(new MaintenanceInfoChanged(2, new MaintenanceInfo("stale")), TestActor);
        resource.Tell(new MaintenanceInfoChanged(3, new MaintenanceInfo("extended")), TestActor);
        await resource.Ask<ResourceStats>(GetResourceStats.Instance, Wait);

        control.Steps.Should().Equal("accepted:3:first:intake open", "stop:during grace", "stop:extended");
    }

    [Fact]
    public async Task Must_answer_Failed_and_restart_when_OnMaintenanceAccepted_throws()
    {
        var control = new TestResourceControl("health") { ThrowIn = "accepted" };
        var resource = Sys.ActorOf(TestResource.Props(control), "health");
        await control.Started.Task.WaitAsync(Wait);

        resource.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(30))), TestActor);

        var done = await ExpectMsgAsync<DrainCompleted>(duration: Wait);
        done.Outcome.Should().Be(DrainOutcome.Failed);
        done.Error!.Message.Should().Contain("broke in accepted");
        await AwaitConditionAsync(() => control.Starts == 2, Wait, "a failed step restarts the resource");
    }

    [Fact]
    public async Task Must_still_answer_TimedOut_when_OnDeadline_throws()
    {
        var control = new TestResourceControl("streams") { InFlight = 2, ThrowIn = "deadline" };
        var resource = Sys.ActorOf(TestResource.Props(control), "streams");

        resource.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(5))), TestActor);
        await control.DrainStarted.Task.WaitAsync(Wait);
        Time.Advance(TimeSpan.FromSeconds(5));

        (await ExpectMsgAsync<DrainCompleted>(duration: Wait)).Should().BeEquivalentTo(new { Outcome = DrainOutcome.TimedOut, InFlightAtDeadline = 2L });
        (await resource.Ask<ResourceStats>(GetResourceStats.Instance, Wait)).State.Should().Be(ResourceState.InMaintenance);
        control.Starts.Should().Be(1, "a failing deadline hook does not restart the resource");
    }

    [Fact]
    public async Task Must_answer_the_exit_Failed_when_OnResumed_throws()
    {
        var control = new TestResourceControl("ready") { IdleAtOnce = true, ThrowIn = "resumed" };
        var resource = Sys.ActorOf(TestResource.Props(control), "ready");
        resource.Tell(new EnterMaintenance(1, In(TimeSpan.FromSeconds(30))), TestActor);
        (await ExpectMsgAsync<DrainCompleted>(duration: Wait)).Outcome.Should().Be(DrainOutcome.Drained);

        resource.Tell(new ExitMaintenance(2), TestActor);

        var resumed = await ExpectMsgAsync<ResumeCompleted>(duration: Wait);
        resumed.Outcome.Should().Be(ResumeOutcome.Failed);
        resumed.Error!.Message.Should().Contain("broke in resumed");
    }
}
