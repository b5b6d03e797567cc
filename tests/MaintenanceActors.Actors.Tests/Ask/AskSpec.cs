using MaintenanceActors.Actors.TestKit;

namespace MaintenanceActors.Actors.Tests.Ask;

public sealed class AskSpec() : TestKit.TestKit(timeProvider: new ManualTimeProvider())
{
    private ManualTimeProvider Clock => (ManualTimeProvider)Sys.TimeProvider;

    [Fact]
    public async Task Must_complete_with_the_reply()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Responder()), "responder");

        var reply = await actor.Ask<string>("hi");

        reply.Should().Be("re: hi");
    }

    [Fact]
    public async Task Must_fault_with_the_cause_of_a_Status_Failure_reply()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Responder()));

        var act = () => actor.Ask<string>("fail");

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("requested failure");
    }

    [Fact]
    public async Task Must_fault_with_the_cause_of_a_Status_Failure_reply_even_when_asking_for_object()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Responder()));

        var act = () => actor.Ask<object>("fail");

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("requested failure");
    }

    [Fact]
    public async Task Must_hand_a_Status_Failure_over_as_the_reply_when_asked_for_exactly_that_type()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Responder()));

        var reply = await actor.Ask<Status.Failure>("fail");

        reply.Cause.Message.Should().Be("requested failure");
    }

    [Fact]
    public async Task Must_time_out_on_the_system_clock_naming_target_and_message_type()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Responder()), "silent");

        var ask = actor.Ask<string>(42, TimeSpan.FromSeconds(5));
        Clock.Advance(TimeSpan.FromSeconds(4));
        ask.IsCompleted.Should().BeFalse();
        Clock.Advance(TimeSpan.FromSeconds(1));

        var act = () => ask;
        var error = await act.Should().ThrowAsync<AskTimeoutException>();
        error.Which.Message.Should().Contain("/user/silent").And.Contain("System.Int32");
    }

    [Fact]
    public async Task Must_publish_a_reply_that_arrives_after_the_timeout_as_a_dead_letter()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters, typeof(DeadLetter));
        var actor = Sys.ActorOf(Props.Create(() => new Deferred(TestActor)), "deferred");
        var ask = actor.Ask<string>("hold", TimeSpan.FromSeconds(5));
        await ExpectMsgAsync("holding");
        Clock.Advance(TimeSpan.FromSeconds(5));
        await ((Func<Task>)(() => ask)).Should().ThrowAsync<AskTimeoutException>();

        actor.Tell("release");

        // Dropped without a trace, a late reply hides why the Ask timed out.
        var letter = await deadLetters.ExpectMsgAsync<DeadLetter>();
        letter.Message.Should().Be("late reply");
        letter.Sender.Should().Be(actor);
    }

    [Fact]
    public async Task Must_fail_fast_when_asking_a_stopped_actor()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Responder()), "gone");
        Watch(actor);
        Sys.Stop(actor);
        await ExpectTerminatedAsync(actor);

        var act = () => actor.Ask<string>("hi");

        (await act.Should().ThrowAsync<AskTimeoutException>()).Which.Message.Should().Contain("/user/gone").And.Contain("terminated");
    }

    [Fact]
    public async Task Must_fail_when_the_target_stops_while_the_message_waits()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Responder()), "stopping");

        var asks = Enumerable.Range(0, 50).Select(_ => actor.Ask<string>("slow-stop")).ToArray();

        // The first message stops the actor; the rest reach a dead actor and fail without waiting for the timeout.
        foreach (var ask in asks.Skip(1))
        {
            var act = () => ask;
            (await act.Should().ThrowAsync<AskTimeoutException>()).Which.Message.Should().Contain("terminated");
        }
    }

    [Fact]
    public async Task Must_reject_a_reply_of_the_wrong_type_naming_both_types()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Responder()));

        var act = () => actor.Ask<int>("hi");

        (await act.Should().ThrowAsync<InvalidCastException>()).Which.Message.Should().Contain("System.Int32").And.Contain("System.String");
    }

    [Fact]
    public void Must_reject_a_negative_timeout_naming_the_value()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Responder()));

        Action act = () => actor.Ask<string>("hi", TimeSpan.FromSeconds(-1));

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*-00:00:01*");
    }

    [Fact]
    public void Must_reject_a_timeout_longer_than_a_timer_can_wait_naming_target_and_value()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Responder()), "patient");

        Action act = () => actor.Ask<string>("hi", TimeSpan.FromDays(100));

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*/user/patient*InfiniteTimeSpan*100.00:00:00*");
    }

    [Fact]
    public async Task Must_cancel_when_the_token_is_cancelled()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Responder()));
        using var cts = new CancellationTokenSource();

        var ask = actor.Ask<string>(1, cancellationToken: cts.Token);
        cts.Cancel();

        await ((Func<Task>)(() => ask)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Must_build_the_message_with_the_reply_to_reference()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Responder()));

        var reply = await actor.Ask<string>(replyTo => new ReplyTo(replyTo));

        reply.Should().Be("direct");
    }

    [Fact]
    public async Task Must_pipe_a_result_and_a_failure_to_an_actor()
    {
        var ok = Task.FromResult(7);
        var failed = Task.FromException<int>(new InvalidOperationException("nope"));

        await ok.PipeTo(TestActor);
        await failed.PipeTo(TestActor);
        await ok.PipeTo(TestActor, success: v => $"value {v}");

        ExpectMsg(7);
        ExpectMsg<Status.Failure>().Cause.Message.Should().Be("nope");
        ExpectMsg("value 7");
    }

    private sealed record ReplyTo(IActorRef Target);

    private sealed class Deferred : ReceiveActor
    {
        private IActorRef _asker = ActorRefs.NoSender;

        public Deferred(IActorRef report)
        {
            Receive<string>(_ => _asker.Tell("late reply", Self), s => s == "release");
            Receive<string>(_ =>
            {
                _asker = Sender;
                report.Tell("holding");
            }, s => s == "hold");
        }
    }

    private sealed class Responder : ReceiveActor
    {
        public Responder()
        {
            Receive<string>(_ => Sender.Tell(new Status.Failure(new InvalidOperationException("requested failure"))), s => s == "fail");
            Receive<string>(_ => Context.Stop(Self), s => s == "slow-stop");
            Receive<string>(s => Sender.Tell("re: " + s));
            Receive<ReplyTo>(r => r.Target.Tell("direct"));
            Receive<int>(_ => { });
        }
    }
}
