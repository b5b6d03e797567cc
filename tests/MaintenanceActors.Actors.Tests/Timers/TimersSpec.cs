using MaintenanceActors.Actors.TestKit;

namespace MaintenanceActors.Actors.Tests.Timers;

public sealed class TimersSpec() : TestKit.TestKit(timeProvider: new ManualTimeProvider())
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);

    private ManualTimeProvider Clock => (ManualTimeProvider)Sys.TimeProvider;

    [Fact]
    public void Must_fire_a_single_timer_once_when_its_time_comes()
    {
        var actor = Sys.ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartSingle("once", TimeSpan.FromSeconds(5)));
        ExpectMsg("started once");

        Clock.Advance(TimeSpan.FromSeconds(4));
        ExpectNoMsg(Quiet);
        Clock.Advance(TimeSpan.FromSeconds(1));
        ExpectMsg("tick once");
        Clock.Advance(TimeSpan.FromSeconds(10));
        ExpectNoMsg(Quiet);

        actor.Tell(new IsActive("once"));
        ExpectMsg(false);
    }

    [Fact]
    public void Must_fire_a_periodic_timer_repeatedly()
    {
        var actor = Sys.ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartPeriodic("every", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        ExpectMsg("started every");

        Clock.Advance(TimeSpan.FromSeconds(4));

        ExpectMsg("tick every");
        ExpectMsg("tick every");
        ExpectMsg("tick every");
        ExpectNoMsg(Quiet);
        actor.Tell(new IsActive("every"));
        ExpectMsg(true);
    }

    [Fact]
    public void Must_not_deliver_a_cancelled_timer_whose_message_was_already_queued()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = Sys.ActorOf(Props.Create(() => new TimerActor(TestActor, gate.Task)));
        actor.Tell(new StartSingle("k", TimeSpan.FromSeconds(1)));
        ExpectMsg("started k");

        actor.Tell(new BlockThen(Replace: false));
        ExpectMsg("blocked");
        Clock.Advance(TimeSpan.FromSeconds(1)); // the tick is queued behind the blocked handler
        gate.SetResult();
        ExpectMsg("unblocked");

        actor.Tell("ping");
        ExpectMsg("ping");
    }

    [Fact]
    public void Must_deliver_only_the_replacement_when_a_key_is_restarted()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = Sys.ActorOf(Props.Create(() => new TimerActor(TestActor, gate.Task)));
        actor.Tell(new StartSingle("k", TimeSpan.FromSeconds(1)));
        ExpectMsg("started k");

        actor.Tell(new BlockThen(Replace: true));
        ExpectMsg("blocked");
        Clock.Advance(TimeSpan.FromSeconds(1));
        gate.SetResult();
        ExpectMsg("unblocked");

        ExpectNoMsg(Quiet);
        Clock.Advance(TimeSpan.FromSeconds(3));
        ExpectMsg("tick replaced");
    }

    [Fact]
    public void Must_cancel_timers_on_restart()
    {
        var actor = Sys.ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartPeriodic("p", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        ExpectMsg("started p");

        actor.Tell("crash");
        actor.Tell(new IsActive("p"));
        ExpectMsg(false);

        Clock.ActiveTimerCount.Should().Be(0);
        Clock.Advance(TimeSpan.FromSeconds(5));
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Must_cancel_timers_on_stop()
    {
        var actor = Sys.ActorOf(Props.Create(() => new TimerActor(TestActor)));
        actor.Tell(new StartSingle("s", TimeSpan.FromSeconds(1)));
        ExpectMsg("started s");
        Watch(actor);

        Sys.Stop(actor);
        ExpectTerminated(actor);

        Clock.ActiveTimerCount.Should().Be(0);
    }

    [Fact]
    public void Must_cancel_a_timer_started_while_stopping()
    {
        var actor = Sys.ActorOf(Props.Create(() => new RestartsTimerOnStop(TestActor)));
        Watch(actor);

        Sys.Stop(actor);
        ExpectMsg("poststop");
        ExpectTerminated(actor);

        // A periodic timer left running would tick at a dead actor for the life of the process.
        Clock.ActiveTimerCount.Should().Be(0);
    }

    private sealed class RestartsTimerOnStop : ReceiveActor, IWithTimers
    {
        private readonly IActorRef _report;

        public RestartsTimerOnStop(IActorRef report) => _report = report;

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PostStop()
        {
            Timers.StartPeriodicTimer("heartbeat", "beat", TimeSpan.FromSeconds(1));
            _report.Tell("poststop");
        }
    }

    private sealed record StartSingle(string Key, TimeSpan Timeout);

    private sealed record StartPeriodic(string Key, TimeSpan Initial, TimeSpan Interval);

    private sealed record IsActive(string Key);

    private sealed record BlockThen(bool Replace);

    private sealed class TimerActor : ReceiveActor, IWithTimers
    {
        public TimerActor(IActorRef report, Task? gate = null)
        {
            Receive<StartSingle>(s =>
            {
                Timers.StartSingleTimer(s.Key, "tick " + s.Key, s.Timeout);
                report.Tell("started " + s.Key);
            });
            Receive<StartPeriodic>(s =>
            {
                Timers.StartPeriodicTimer(s.Key, "tick " + s.Key, s.Initial, s.Interval);
                report.Tell("started " + s.Key);
            });
            Receive<IsActive>(s => report.Tell(Timers.IsTimerActive(s.Key)));
            ReceiveAsync<BlockThen>(async b =>
            {
                report.Tell("blocked");
                await gate!;
                if (b.Replace)
                {
                    Timers.StartSingleTimer("k", "tick replaced", TimeSpan.FromSeconds(3));
                }
                else
                {
                    Timers.Cancel("k");
                }

                report.Tell("unblocked");
            });
            Receive<string>(_ => throw new InvalidOperationException("crash"), s => s == "crash");
            Receive<string>(s => report.Tell(s));
        }

        public ITimerScheduler Timers { get; set; } = null!;
    }
}
