namespace MaintenanceActors.Actors.Tests.Core;

public sealed class ReceiveAsyncSpec : TestKit.TestKit
{
    [Fact]
    public async Task Must_never_run_two_handlers_at_once_while_an_async_handler_awaits()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Exclusive()), "exclusive");

        var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                actor.Tell(i % 3 == 0 ? "sync" : "async", ActorRefs.NoSender);
            }
        })).ToArray();
        await Task.WhenAll(senders);

        var (handled, overlaps) = await actor.Ask<(int, int)>(new Report(), TimeSpan.FromSeconds(20));
        handled.Should().Be(400);
        overlaps.Should().Be(0);
    }

    [Fact]
    public async Task Must_keep_Self_Sender_and_Context_valid_after_awaits()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Awaiter()), "awaiter");
        var first = CreateTestProbe("first");
        var second = CreateTestProbe("second");

        first.Send(actor, "who");
        second.Send(actor, "who");

        (await first.ExpectMsgAsync<string>()).Should().Be("/user/awaiter replied to /system/first via /user/awaiter");
        (await second.ExpectMsgAsync<string>()).Should().Be("/user/awaiter replied to /system/second via /user/awaiter");
    }

    [Fact]
    public async Task Must_process_messages_that_arrived_during_the_await_afterwards_in_order()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = Sys.ActorOf(Props.Create(() => new Gated(gate.Task)));

        actor.Tell("wait");
        await ExpectMsgAsync("waiting");
        actor.Tell("a");
        actor.Tell("b");
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        gate.SetResult();

        await ExpectMsgAsync("done waiting");
        await ExpectMsgAsync("a");
        await ExpectMsgAsync("b");
    }

    [Fact]
    public async Task Must_send_an_exception_after_an_await_to_supervision()
    {
        var actor = Sys.ActorOf(Props.Create(() => new FailsLater(TestActor)), "fails-later");
        await ExpectMsgAsync("started");

        actor.Tell("fail");
        actor.Tell("next");

        await ExpectMsgAsync("started");
        await ExpectMsgAsync("next");
    }

    [Fact]
    public async Task Must_stop_cleanly_while_an_async_handler_is_pending()
    {
        var never = new TaskCompletionSource();
        var actor = Sys.ActorOf(Props.Create(() => new Gated(never.Task)));
        Watch(actor);

        actor.Tell("wait");
        await ExpectMsgAsync("waiting");
        Sys.Stop(actor);

        await ExpectTerminatedAsync(actor);
    }

    private sealed record Report;

    private sealed class Exclusive : ReceiveActor
    {
        private int _inside;
        private int _handled;
        private int _overlaps;

        public Exclusive()
        {
            ReceiveAsync<string>(async _ =>
            {
                Enter();
                await Task.Yield();
                await Task.Run(() => Thread.SpinWait(50));
                Leave();
            }, s => s == "async");
            Receive<string>(_ =>
            {
                Enter();
                Leave();
            });
            Receive<Report>(_ => Sender.Tell((_handled, _overlaps)));
        }

        private void Enter()
        {
            if (Interlocked.Increment(ref _inside) != 1)
            {
                Interlocked.Increment(ref _overlaps);
            }
        }

        private void Leave()
        {
            _handled++;
            Interlocked.Decrement(ref _inside);
        }
    }

    private sealed class Awaiter : ReceiveActor
    {
        public Awaiter()
        {
            ReceiveAsync<string>(async _ =>
            {
                await Task.Yield();
                await Task.Run(() => Thread.SpinWait(100));
                await Task.Delay(1);
                Sender.Tell($"{Self.Path} replied to {Sender.Path} via {Context.Self.Path}");
            });
        }
    }

    private sealed class Gated : ReceiveActor
    {
        public Gated(Task gate)
        {
            ReceiveAsync<string>(async _ =>
            {
                Sender.Tell("waiting");
                await gate;
                Sender.Tell("done waiting");
            }, s => s == "wait");
            Receive<string>(s => Sender.Tell(s));
        }
    }

    private sealed class FailsLater : ReceiveActor
    {
        private readonly IActorRef _report;

        public FailsLater(IActorRef report)
        {
            _report = report;
            ReceiveAsync<string>(async _ =>
            {
                await Task.Yield();
                throw new InvalidOperationException("async failure");
            }, s => s == "fail");
            Receive<string>(s => _report.Tell(s));
        }

        protected override void PreStart() => _report.Tell("started");
    }
}
