namespace MaintenanceActors.Actors.Tests.Events;

public sealed class EventStreamSpec : TestKit.TestKit
{
    [Fact]
    public void Must_deliver_subtypes_to_a_base_type_subscriber_once()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe, typeof(Animal)).Should().BeTrue();
        Sys.EventStream.Subscribe(probe, typeof(Dog)).Should().BeTrue();
        Sys.EventStream.Subscribe(probe, typeof(Dog)).Should().BeFalse();

        Sys.EventStream.Publish(new Dog("rex"));
        Sys.EventStream.Publish(new Cat("tom"));
        Sys.EventStream.Publish("not an animal");

        probe.ExpectMsg<Dog>().Name.Should().Be("rex");
        probe.ExpectMsg<Cat>().Name.Should().Be("tom");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Must_stop_delivering_after_unsubscribe()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe, typeof(Animal));
        Sys.EventStream.Subscribe(probe, typeof(string));

        Sys.EventStream.Unsubscribe(probe, typeof(Animal)).Should().BeTrue();
        Sys.EventStream.Publish(new Dog("rex"));
        Sys.EventStream.Publish("still");
        Sys.EventStream.Unsubscribe(probe);
        Sys.EventStream.Publish("gone");

        probe.ExpectMsg("still");
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Must_unsubscribe_an_actor_automatically_when_it_stops()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters, typeof(DeadLetter));
        var subscriber = Sys.ActorOf(Props.Create(() => new Subscriber(TestActor)), "subscriber");
        ExpectMsg("subscribed");
        Sys.EventStream.Publish(new Cat("first"));
        ExpectMsg<Cat>();

        Watch(subscriber);
        Sys.Stop(subscriber);
        ExpectTerminated(subscriber);
        Sys.EventStream.Publish(new Cat("second"));

        // Had it stayed subscribed, the event would have become a dead letter.
        deadLetters.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Must_not_keep_a_subscription_made_for_an_actor_that_has_already_stopped()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters, typeof(DeadLetter));
        var subscriber = Sys.ActorOf(Props.Create(() => new Subscriber(TestActor)), "late");
        ExpectMsg("subscribed");
        Watch(subscriber);
        Sys.Stop(subscriber);
        ExpectTerminated(subscriber);

        // A subscription racing with the actor's stop must not outlive it.
        Sys.EventStream.Subscribe(subscriber, typeof(Dog)).Should().BeFalse();
        Sys.EventStream.Publish(new Dog("late"));

        deadLetters.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Must_publish_dead_letters_for_messages_to_a_stopped_actor()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe, typeof(DeadLetter));
        var actor = Sys.ActorOf(Props.Create(() => new Subscriber(TestActor)), "mortal");
        ExpectMsg("subscribed");
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);

        actor.Tell("too late");

        var dead = probe.ExpectMsg<DeadLetter>();
        dead.Message.Should().Be("too late");
        dead.Recipient.Should().Be(actor);
        dead.Sender.Should().Be(TestActor);
    }

    [Fact]
    public void Must_publish_messages_sent_to_DeadLetters()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe, typeof(DeadLetter));

        Sys.DeadLetters.Tell("lost", ActorRefs.NoSender);

        probe.ExpectMsg<DeadLetter>().Message.Should().Be("lost");
    }

    private abstract record Animal(string Name);

    private sealed record Dog(string Name) : Animal(Name);

    private sealed record Cat(string Name) : Animal(Name);

    private sealed class Subscriber : ReceiveActor
    {
        private readonly IActorRef _report;

        public Subscriber(IActorRef report)
        {
            _report = report;
            Receive<Cat>(c => _report.Tell(c));
        }

        protected override void PreStart()
        {
            Context.System.EventStream.Subscribe(Self, typeof(Cat));
            _report.Tell("subscribed");
        }
    }
}
