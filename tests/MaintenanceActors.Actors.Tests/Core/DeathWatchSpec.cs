namespace MaintenanceActors.Actors.Tests.Core;

public sealed class DeathWatchSpec : TestKit.TestKit
{
    [Fact]
    public void Must_deliver_Terminated_to_a_watching_actor()
    {
        var subject = Sys.ActorOf(Props.Create(() => new Idle()), "subject");
        Sys.ActorOf(Props.Create(() => new Watcher(subject, TestActor)));
        ExpectMsg("watching");

        Sys.Stop(subject);

        ExpectMsg<Terminated>().ActorRef.Should().Be(subject);
    }

    [Fact]
    public void Must_not_deliver_Terminated_after_Unwatch()
    {
        var subject = Sys.ActorOf(Props.Create(() => new Idle()));
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(subject, TestActor)));
        ExpectMsg("watching");

        watcher.Tell("unwatch");
        ExpectMsg("unwatched");
        Sys.Stop(subject);

        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Must_deliver_Terminated_when_watching_an_actor_that_is_already_dead()
    {
        var subject = Sys.ActorOf(Props.Create(() => new Idle()));
        var probe = CreateTestProbe();
        probe.Watch(subject);
        Sys.Stop(subject);
        probe.ExpectTerminated(subject);

        Sys.ActorOf(Props.Create(() => new Watcher(subject, TestActor)));

        ExpectMsg("watching");
        ExpectMsg<Terminated>().ActorRef.Should().Be(subject);
    }

    [Fact]
    public void Must_stop_a_watcher_that_does_not_handle_Terminated()
    {
        var subject = Sys.ActorOf(Props.Create(() => new Idle()));
        var careless = Sys.ActorOf(Props.Create(() => new CarelessWatcher(subject)));
        Watch(careless);

        careless.Tell("watch");
        ExpectMsg("watching");
        Sys.Stop(subject);

        ExpectTerminated(careless);
    }

    [Fact]
    public void Must_process_queued_messages_before_a_PoisonPill_and_drop_later_ones_to_dead_letters()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters, typeof(DeadLetter));
        var echo = Sys.ActorOf(Props.Create(() => new Echo()));
        Watch(echo);

        echo.Tell("before");
        echo.Tell(PoisonPill.Instance);
        ExpectMsg("before");
        ExpectTerminated(echo);
        echo.Tell("after");

        deadLetters.ExpectMsg<DeadLetter>().Message.Should().Be("after");
    }

    [Fact]
    public void Must_let_an_actor_stop_itself_after_the_current_message()
    {
        var actor = Sys.ActorOf(Props.Create(() => new SelfStopper(TestActor)));
        Watch(actor);

        actor.Tell("stop");

        ExpectMsg("handled stop");
        ExpectMsg("poststop");
        ExpectTerminated(actor);
    }

    [Fact]
    public void Must_free_a_childs_name_by_the_time_its_parent_receives_Terminated()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Recreator(TestActor)));

        for (var i = 1; i <= 20; i++)
        {
            parent.Tell("kill");
            ExpectMsg($"recreated {i}");
        }
    }

    [Fact]
    public void Must_survive_a_restart_while_watching_its_own_children()
    {
        var parent = Sys.ActorOf(Props.Create(() => new WatchingParent()), "watching-parent");
        Watch(parent);

        parent.Tell("boom");
        parent.Tell("ping");

        // The default PreRestart stops the children; their Terminated must not reach the new instance as a death pact.
        ExpectMsg("pong");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    private sealed class WatchingParent : ReceiveActor
    {
        public WatchingParent()
        {
            Receive<string>(_ => throw new InvalidOperationException("boom"), s => s == "boom");
            Receive<string>(_ => Sender.Tell("pong"), s => s == "ping");
        }

        protected override void PreStart() => Context.Watch(Context.ActorOf(Props.Create(() => new Idle()), "child"));
    }

    private sealed class Idle : ReceiveActor;

    private sealed class Recreator : ReceiveActor
    {
        private int _generation;
        private IActorRef _child;

        public Recreator(IActorRef report)
        {
            _child = Context.Watch(Context.ActorOf(Props.Create(() => new Idle()), "worker"));
            Receive<string>(_ => Context.Stop(_child));
            Receive<Terminated>(_ =>
            {
                _child = Context.Watch(Context.ActorOf(Props.Create(() => new Idle()), "worker"));
                report.Tell($"recreated {++_generation}");
            });
        }
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef subject, IActorRef report)
        {
            Receive<Terminated>(t => report.Tell(t));
            Receive<string>(_ =>
            {
                Context.Unwatch(subject);
                report.Tell("unwatched");
            }, s => s == "unwatch");
            Context.Watch(subject);
            report.Tell("watching");
        }
    }

    private sealed class CarelessWatcher : ReceiveActor
    {
        public CarelessWatcher(IActorRef subject)
        {
            Receive<string>(_ =>
            {
                Context.Watch(subject);
                Sender.Tell("watching");
            });
        }
    }

    private sealed class SelfStopper : ReceiveActor
    {
        private readonly IActorRef _report;

        public SelfStopper(IActorRef report)
        {
            _report = report;
            Receive<string>(s =>
            {
                Context.Stop(Self);
                _report.Tell("handled " + s);
            });
        }

        protected override void PostStop() => _report.Tell("poststop");
    }
}
