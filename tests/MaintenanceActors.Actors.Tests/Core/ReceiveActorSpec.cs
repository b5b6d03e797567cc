using MaintenanceActors.Actors.TestKit;

namespace MaintenanceActors.Actors.Tests.Core;

public sealed class ReceiveActorSpec : TestKit.TestKit
{
    [Fact]
    public void Must_reply_to_the_implicit_sender()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "echo");

        echo.Tell("hello");

        ExpectMsg("hello");
        LastSender.Should().Be(echo);
    }

    [Fact]
    public void Must_use_the_current_actor_as_implicit_sender_inside_an_actor()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()));
        var relay = Sys.ActorOf(Props.Create(() => new Relay(echo, TestActor)));

        relay.Tell("ping");

        ExpectMsg("ping");
    }

    [Fact]
    public void Must_pick_the_first_matching_handler_and_respect_predicates()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Classifier()));

        actor.Tell(5);
        actor.Tell(-3);
        actor.Tell("text");

        ExpectMsg("positive 5");
        ExpectMsg("other -3");
        ExpectMsg("any text");
    }

    [Fact]
    public void Must_switch_behaviour_with_Become_and_the_stack_with_BecomeStacked()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Switcher()));

        actor.Tell("state");
        ExpectMsg("initial");
        actor.Tell("become");
        actor.Tell("state");
        ExpectMsg("second");
        actor.Tell("push");
        actor.Tell("state");
        ExpectMsg("stacked");
        actor.Tell("pop");
        actor.Tell("state");
        ExpectMsg("second");
    }

    [Fact]
    public void Must_publish_unhandled_messages_on_the_event_stream()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe, typeof(UnhandledMessage));
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "picky");

        echo.Tell(42);

        var unhandled = probe.ExpectMsg<UnhandledMessage>();
        unhandled.Message.Should().Be(42);
        unhandled.Recipient.Should().Be(echo);
        unhandled.Sender.Should().Be(TestActor);
    }

    [Fact]
    public void Must_expose_Context_Self_and_Parent_inside_the_actor()
    {
        var parent = Sys.ActorOf(Props.Create(() => new ParentReporter()), "parent");

        parent.Tell("report");

        var report = ExpectMsg<string>();
        report.Should().Be("/user/parent/child parent=/user/parent");
    }

    [Fact]
    public void Must_reject_Receive_outside_the_constructor_and_Become()
    {
        var actor = Sys.ActorOf(Props.Create(() => new LateRegistration()));

        actor.Tell("register");

        ExpectMsg<string>().Should().Contain("only in the constructor");
    }

    [Fact]
    public void Must_not_allow_creating_an_actor_with_new()
    {
        var act = () => new Echo();

        act.Should().Throw<InvalidOperationException>().WithMessage("*ActorOf*");
    }

    internal sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<string>(s => Sender.Tell(s));
    }

    private sealed class Relay : ReceiveActor
    {
        public Relay(IActorRef echo, IActorRef target)
        {
            Receive<string>(s =>
            {
                if (Sender.Equals(echo))
                {
                    target.Tell(s);
                }
                else
                {
                    echo.Tell(s);
                }
            });
        }
    }

    private sealed class Classifier : ReceiveActor
    {
        public Classifier()
        {
            Receive<int>(i => Sender.Tell($"positive {i}"), i => i > 0);
            Receive<int>(i => Sender.Tell($"other {i}"));
            ReceiveAny(o => Sender.Tell($"any {o}"));
        }
    }

    private sealed class Switcher : ReceiveActor
    {
        public Switcher()
        {
            Receive<string>(_ => Sender.Tell("initial"), s => s == "state");
            Receive<string>(_ => Become(Second), s => s == "become");
        }

        private void Second()
        {
            Receive<string>(_ => Sender.Tell("second"), s => s == "state");
            Receive<string>(_ => BecomeStacked(Stacked), s => s == "push");
        }

        private void Stacked()
        {
            Receive<string>(_ => UnbecomeStacked(), s => s == "pop");
            Receive<string>(_ => Sender.Tell("stacked"));
        }
    }

    private sealed class ParentReporter : ReceiveActor
    {
        private IActorRef? _child;

        public ParentReporter()
        {
            Receive<string>(s => _child!.Forward(s));
        }

        protected override void PreStart() => _child = Context.ActorOf(Props.Create(() => new ChildReporter()), "child");
    }

    private sealed class ChildReporter : ReceiveActor
    {
        public ChildReporter() => Receive<string>(_ => Sender.Tell($"{Self.Path} parent={Context.Parent.Path}"));
    }

    private sealed class LateRegistration : ReceiveActor
    {
        public LateRegistration()
        {
            Receive<string>(_ =>
            {
                try
                {
                    Receive<int>(_ => { });
                }
                catch (InvalidOperationException ex)
                {
                    Sender.Tell(ex.Message);
                }
            });
        }
    }
}
