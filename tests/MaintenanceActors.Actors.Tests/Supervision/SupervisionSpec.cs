namespace MaintenanceActors.Actors.Tests.Supervision;

public sealed class SupervisionSpec : TestKit.TestKit
{
    [Fact]
    public void Must_restart_a_failing_top_level_actor_rerunning_PreStart_and_keeping_the_mailbox()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Lifecycle(TestActor)), "restartable");
        ExpectMsg("prestart");

        actor.Tell(new Fail("boom"), TestActor);
        actor.Tell("after", TestActor);

        ExpectMsg("prerestart boom");
        ExpectMsg("poststop");
        ExpectMsg("postrestart boom");
        ExpectMsg("prestart");
        ExpectMsg("got after");
    }

    [Fact]
    public void Must_not_retry_the_failing_message_and_must_reset_state_on_restart()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Counter()));

        actor.Tell("inc");
        actor.Tell("inc");
        actor.Tell(new Fail("x"));
        actor.Tell("get");

        ExpectMsg(0);
    }

    [Fact]
    public void Must_keep_state_when_the_supervisor_resumes()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Parent(_ => Directive.Resume, Props.Create(() => new Counter()))));
        var child = ChildOf(parent);

        child.Tell("inc");
        child.Tell(new Fail("x"));
        child.Tell("inc");
        child.Tell("get");

        ExpectMsg(2);
    }

    [Fact]
    public void Must_stop_the_child_when_the_supervisor_says_Stop()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Parent(_ => Directive.Stop, Props.Create(() => new Counter()))));
        var child = ChildOf(parent);
        Watch(child);

        child.Tell(new Fail("x"));

        ExpectTerminated(child);
    }

    [Fact]
    public void Must_escalate_to_the_grandparent_which_restarts_the_parent_and_its_children()
    {
        var grandparent = CreateTestProbe();
        var parent = Sys.ActorOf(Props.Create(() => new Parent(_ => Directive.Escalate, Props.Create(() => new Lifecycle(grandparent)))), "escalating");
        grandparent.ExpectMsg("prestart");
        var child = ChildOf(parent);

        child.Tell(new Fail("deep"));

        // The child is stopped as part of the parent's restart, then the new parent instance creates a new child.
        grandparent.ExpectMsg("poststop");
        grandparent.ExpectMsg("prestart");
        var newChild = ChildOf(parent);
        newChild.Should().NotBeSameAs(child);
        newChild.Path.ToString().Should().Be("/user/escalating/child");
    }

    [Fact]
    public void Must_resume_the_escalating_child_when_the_grandparent_resumes_the_parent()
    {
        var middle = Props.Create(() => new Parent(_ => Directive.Escalate, Props.Create(() => new Counter())));
        var grandparent = Sys.ActorOf(Props.Create(() => new Parent(_ => Directive.Resume, middle)));
        var child = ChildOf(ChildOf(grandparent));

        child.Tell("inc");
        child.Tell(new Fail("escalated"));
        child.Tell("inc");
        child.Tell("get");

        // Left suspended, the child would never answer; resumed, it keeps its state.
        ExpectMsg(2);
    }

    [Fact]
    public void Must_stop_the_child_after_max_retries_within_the_window()
    {
        var strategy = new OneForOneStrategy(2, TimeSpan.FromMinutes(1), _ => Directive.Restart);
        var parent = Sys.ActorOf(Props.Create(() => new Parent(strategy, Props.Create(() => new Lifecycle(TestActor)))));
        ExpectMsg("prestart");
        var child = ChildOf(parent);
        var watcher = CreateTestProbe();
        watcher.Watch(child);

        for (var i = 0; i < 3; i++)
        {
            child.Tell(new Fail("again " + i));
        }

        watcher.ExpectTerminated(child);

        // Two restarts (prerestart, poststop, postrestart, prestart each), then the final stop's poststop.
        var lifecycle = TestActor.ReceiveN(9).Cast<string>().ToList();
        lifecycle.Count(s => s == "prestart").Should().Be(2);
        lifecycle[^1].Should().Be("poststop");
    }

    [Fact]
    public void Must_stop_an_actor_whose_constructor_throws_by_default()
    {
        var actor = Sys.ActorOf(Props.Create<ThrowsInConstructor>(), "broken");
        Watch(actor);

        ExpectTerminated(actor);
    }

    [Fact]
    public void Must_use_the_strategy_given_in_Props_over_the_actors_own()
    {
        var props = Props.Create(() => new Parent(_ => Directive.Restart, Props.Create(() => new Counter())))
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Resume));
        var parent = Sys.ActorOf(props);
        var child = ChildOf(parent);

        child.Tell("inc");
        child.Tell(new Fail("x"));
        child.Tell("get");

        ExpectMsg(1);
    }

    [Fact]
    public void Must_keep_the_system_running_after_crashes()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Counter()));
        for (var i = 0; i < 20; i++)
        {
            actor.Tell(new Fail("crash " + i));
        }

        actor.Tell("inc");
        actor.Tell("get");

        ExpectMsg(1);
        Sys.WhenTerminated.IsCompleted.Should().BeFalse();
    }

    private IActorRef ChildOf(IActorRef parent)
    {
        parent.Tell("child");
        return ExpectMsg<IActorRef>();
    }

    internal sealed record Fail(string Reason);

    internal sealed class Lifecycle : ReceiveActor
    {
        private readonly IActorRef _report;

        public Lifecycle(IActorRef report)
        {
            _report = report;
            Receive<Fail>(f => throw new InvalidOperationException(f.Reason));
            Receive<string>(s => _report.Tell("got " + s));
        }

        protected override void PreStart() => _report.Tell("prestart");

        protected override void PostStop() => _report.Tell("poststop");

        protected override void PreRestart(Exception reason, object? message)
        {
            _report.Tell("prerestart " + reason.Message);
            base.PreRestart(reason, message);
        }

        protected override void PostRestart(Exception reason)
        {
            _report.Tell("postrestart " + reason.Message);
            base.PostRestart(reason);
        }
    }

    internal sealed class Counter : ReceiveActor
    {
        private int _count;

        public Counter()
        {
            Receive<Fail>(f => throw new InvalidOperationException(f.Reason));
            Receive<string>(_ => _count++, s => s == "inc");
            Receive<string>(_ => Sender.Tell(_count), s => s == "get");
        }
    }

    internal sealed class Parent : ReceiveActor
    {
        private readonly SupervisorStrategy _strategy;
        private readonly Props _childProps;

        public Parent(Func<Exception, Directive> decider, Props childProps)
            : this(new OneForOneStrategy(decider), childProps)
        {
        }

        public Parent(SupervisorStrategy strategy, Props childProps)
        {
            _strategy = strategy;
            _childProps = childProps;
            Receive<string>(_ => Sender.Tell(Context.Child("child")!), s => s == "child");
        }

        protected override void PreStart() => Context.ActorOf(_childProps, "child");

        protected override SupervisorStrategy SupervisorStrategy() => _strategy;
    }

    private sealed class ThrowsInConstructor : ReceiveActor
    {
        public ThrowsInConstructor() => throw new InvalidOperationException("cannot construct");
    }
}
