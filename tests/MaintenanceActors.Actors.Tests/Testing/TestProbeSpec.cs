using MaintenanceActors.Actors.TestKit;

namespace MaintenanceActors.Actors.Tests.Testing;

public sealed class TestProbeSpec : MaintenanceActors.Actors.TestKit.TestKit
{
    [Fact]
    public void Must_fail_ExpectMsg_with_the_unexpected_message_named()
    {
        TestActor.Tell("surprise", ActorRefs.NoSender);

        var act = () => ExpectMsg<int>();

        act.Should().Throw<TestKitAssertionException>().WithMessage("*Int32*surprise*");
    }

    [Fact]
    public void Must_fail_ExpectMsg_on_timeout()
    {
        var act = () => ExpectMsg<string>(timeout: TimeSpan.FromMilliseconds(50));

        act.Should().Throw<TestKitAssertionException>().WithMessage("*timeout*");
    }

    [Fact]
    public void Must_fail_ExpectNoMsg_when_a_message_arrives()
    {
        TestActor.Tell("unwanted", ActorRefs.NoSender);

        var act = () => ExpectNoMsg(TimeSpan.FromMilliseconds(50));

        act.Should().Throw<TestKitAssertionException>().WithMessage("*unwanted*");
    }

    [Fact]
    public void Must_reply_and_forward_with_the_right_senders()
    {
        var first = CreateTestProbe("first");
        var second = CreateTestProbe("second");

        first.Send(TestActor, "question");
        ExpectMsg("question");
        TestActor.Reply("answer");
        TestActor.Forward(second);

        first.ExpectMsg("answer");
        first.LastSender.Should().Be(TestActor);
        second.ExpectMsg("question");
        second.LastSender.Should().Be(first);
    }

    [Fact]
    public void Must_fish_past_uninteresting_messages()
    {
        foreach (var n in new[] { 1, 2, 3, 42, 5 })
        {
            TestActor.Tell(n, ActorRefs.NoSender);
        }

        FishForMessage<int>(n => n > 10).Should().Be(42);
        ReceiveOne().Should().Be(5);
    }

    [Fact]
    public async Task Must_accept_expected_messages_in_any_order()
    {
        foreach (var n in new[] { 3, 1, 2 })
        {
            TestActor.Tell(n, ActorRefs.NoSender);
        }

        var received = await ExpectMsgAllOfAsync(new[] { 1, 2, 3 });

        received.Should().Equal(3, 1, 2);
    }

    [Fact]
    public async Task Must_retry_an_assertion_until_it_holds()
    {
        var counter = 0;
        var actor = Sys.ActorOf(Props.Create(() => new Incrementer(() => Interlocked.Increment(ref counter))));

        actor.Tell("go");

        await AwaitAssertAsync(() => Volatile.Read(ref counter).Should().Be(1), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Must_wait_generously_by_default_so_a_loaded_machine_does_not_fail_a_test()
    {
        DefaultTimeout.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(10));
        CreateTestProbe().DefaultTimeout.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Must_use_the_changed_default_timeout_for_expectations()
    {
        DefaultTimeout = TimeSpan.FromMilliseconds(30);

        var act = () => ExpectMsg<string>();

        act.Should().Throw<TestKitAssertionException>().WithMessage("*00:00:00.03*");
    }

    private sealed class Incrementer : ReceiveActor
    {
        public Incrementer(Action increment) => Receive<string>(_ => increment());
    }
}
