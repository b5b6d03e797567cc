using MaintenanceActors.Actors.TestKit;

namespace MaintenanceActors.Actors.Tests.Supervision;

public sealed class BackoffSpec() : TestKit.TestKit(timeProvider: new ManualTimeProvider())
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    private ManualTimeProvider Clock => (ManualTimeProvider)Sys.TimeProvider;

    [Fact]
    public async Task Must_delay_restarts_exponentially_up_to_the_maximum_on_the_system_clock()
    {
        var child = await StartChildAsync(new OneForOneStrategy(_ => Directive.Restart).WithBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), 0));

        foreach (var seconds in new[] { 1, 2, 4, 4 })
        {
            await FailAndExpectRestartAfter(child, TimeSpan.FromSeconds(seconds));
        }
    }

    [Fact]
    public async Task Must_reset_the_backoff_after_a_quiet_period()
    {
        var child = await StartChildAsync(new OneForOneStrategy(_ => Directive.Restart).WithBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), 0, resetAfter: TimeSpan.FromSeconds(10)));
        await FailAndExpectRestartAfter(child, TimeSpan.FromSeconds(1));
        await FailAndExpectRestartAfter(child, TimeSpan.FromSeconds(2));

        Clock.Advance(TimeSpan.FromSeconds(11));

        await FailAndExpectRestartAfter(child, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Must_keep_messages_sent_during_the_backoff_for_the_restarted_instance()
    {
        var child = await StartChildAsync(new OneForOneStrategy(_ => Directive.Restart).WithBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), 0.2));

        child.Tell(new SupervisionSpec.Fail("x"));
        child.Tell("waiting");
        await ExpectMsgAsync("prerestart x");
        await ExpectMsgAsync("poststop");
        await AwaitConditionAsync(() => Clock.ActiveTimerCount == 1, TimeSpan.FromSeconds(10));
        Clock.Advance(TimeSpan.FromSeconds(2)); // beyond 1 s + 20 %

        await ExpectMsgAsync("postrestart x");
        await ExpectMsgAsync("prestart");
        await ExpectMsgAsync("got waiting");
    }

    [Fact]
    public async Task Must_terminate_the_system_while_a_child_waits_for_its_backoff_restart()
    {
        var child = await StartChildAsync(new OneForOneStrategy(_ => Directive.Restart).WithBackoff(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), 0));
        child.Tell(new SupervisionSpec.Fail("x"));
        await ExpectMsgAsync("prerestart x");
        await ExpectMsgAsync("poststop");
        await AwaitConditionAsync(() => Clock.ActiveTimerCount == 1, TimeSpan.FromSeconds(10), "backoff timer scheduled");

        await Sys.Terminate().WaitAsync(TimeSpan.FromSeconds(10));

        // The instance already stopped for the restart: no second PostStop, no restart, and the backoff timer is gone.
        Clock.ActiveTimerCount.Should().Be(0);
        await ExpectNoMsgAsync(Quiet);
    }

    private async Task<IActorRef> StartChildAsync(SupervisorStrategy strategy)
    {
        var parent = Sys.ActorOf(Props.Create(() => new SupervisionSpec.Parent(strategy, Props.Create(() => new SupervisionSpec.Lifecycle(TestActor)))));
        await ExpectMsgAsync("prestart");
        parent.Tell("child");
        return await ExpectMsgAsync<IActorRef>();
    }

    private async Task FailAndExpectRestartAfter(IActorRef child, TimeSpan delay)
    {
        child.Tell(new SupervisionSpec.Fail("x"));
        await ExpectMsgAsync("prerestart x");
        await ExpectMsgAsync("poststop");

        // The parent schedules the restart on the manual clock; wait until it has.
        await AwaitConditionAsync(() => Clock.ActiveTimerCount == 1, TimeSpan.FromSeconds(10), "backoff timer scheduled");
        Clock.Advance(delay - TimeSpan.FromMilliseconds(1));
        await ExpectNoMsgAsync(Quiet);
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        await ExpectMsgAsync("postrestart x");
        await ExpectMsgAsync("prestart");
    }
}
