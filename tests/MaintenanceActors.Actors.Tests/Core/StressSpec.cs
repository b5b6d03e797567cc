namespace MaintenanceActors.Actors.Tests.Core;

public sealed class StressSpec
{
    [Fact]
    public async Task Must_deliver_every_message_to_thousands_of_actors_and_stop_them_all()
    {
        const int actors = 5_000;
        const int messagesEach = 20;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = 0;
        var system = ActorSystem.Create("stress");
        var collector = system.ActorOf(Props.Create(() => new Collector(actors * messagesEach, done)), "collector");
        var refs = Enumerable.Range(0, actors)
            .Select(i => system.ActorOf(Props.Create(() => new Worker(collector, () => Interlocked.Increment(ref stopped))), "w" + i))
            .ToArray();

        Parallel.ForEach(refs, r =>
        {
            for (var m = 0; m < messagesEach; m++)
            {
                r.Tell(m, ActorRefs.NoSender);
            }
        });

        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        stopped.Should().Be(actors);
    }

    private sealed class Worker : ReceiveActor
    {
        private readonly Action _onStop;
        private int _expected;

        public Worker(IActorRef collector, Action onStop)
        {
            _onStop = onStop;
            Receive<int>(m =>
            {
                // Per-sender FIFO: one sender per worker, so the sequence must arrive in order.
                collector.Tell(m == _expected ? 1 : -1_000_000);
                _expected++;
            });
        }

        protected override void PostStop() => _onStop();
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(int expected, TaskCompletionSource done)
        {
            var total = 0;
            Receive<int>(n =>
            {
                total += n;
                if (total == expected)
                {
                    done.TrySetResult();
                }
            });
        }
    }
}
