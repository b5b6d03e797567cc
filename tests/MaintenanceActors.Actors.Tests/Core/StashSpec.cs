namespace MaintenanceActors.Actors.Tests.Core;

public sealed class StashSpec : TestKit.TestKit
{
    [Fact]
    public void Must_replay_stashed_messages_in_order_before_later_ones_after_Become()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Door()));

        actor.Tell("one");
        actor.Tell("two");
        actor.Tell("open");
        actor.Tell("three");

        ExpectMsg("opened");
        ExpectMsg("one");
        ExpectMsg("two");
        ExpectMsg("three");
    }

    [Fact]
    public void Must_unstash_only_the_oldest_message_with_Unstash()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Door()));

        actor.Tell("one");
        actor.Tell("two");
        actor.Tell("peek");

        ExpectMsg("peeked one");
        actor.Tell("open");
        ExpectMsg("opened");
        ExpectMsg("two");
    }

    [Fact]
    public void Must_return_stashed_messages_to_the_mailbox_on_restart()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Door()));

        actor.Tell("one");
        actor.Tell("crash");
        actor.Tell("open");

        ExpectMsg("opened");
        ExpectMsg("one");
    }

    [Fact]
    public void Must_clear_the_stash_and_return_its_messages()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Door()));

        actor.Tell("one");
        actor.Tell("two");
        actor.Tell("clear");

        ExpectMsg("cleared one,two");
        actor.Tell("open");
        ExpectMsg("opened");
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Must_send_stashed_messages_to_dead_letters_on_stop()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters, typeof(DeadLetter));
        var actor = Sys.ActorOf(Props.Create(() => new Door()));

        actor.Tell("kept");
        actor.Tell(PoisonPill.Instance);

        deadLetters.ExpectMsg<DeadLetter>().Message.Should().Be("kept");
    }

    private sealed class Door : ReceiveActor, IWithStash
    {
        public Door()
        {
            Receive<string>(_ =>
            {
                Become(Open);
                Sender.Tell("opened");
                Stash.UnstashAll();
            }, s => s == "open");
            Receive<string>(_ =>
            {
                Stash.Unstash();
                Become(() =>
                {
                    Receive<string>(s =>
                    {
                        Sender.Tell("peeked " + s);
                        Stash.Stash();
                        UnbecomeToClosed();
                    });
                });
            }, s => s == "peek");
            Receive<string>(_ => throw new InvalidOperationException("crash"), s => s == "crash");
            Receive<string>(_ => Sender.Tell("cleared " + string.Join(",", Stash.ClearStash())), s => s == "clear");
            Receive<string>(_ => Stash.Stash());
        }

        public IStash Stash { get; set; } = null!;

        private void UnbecomeToClosed() => Become(() =>
        {
            Receive<string>(_ =>
            {
                Become(Open);
                Sender.Tell("opened");
                Stash.UnstashAll();
            }, s => s == "open");
            Receive<string>(_ => Stash.Stash());
        });

        private void Open() => Receive<string>(s => Sender.Tell(s));
    }
}
