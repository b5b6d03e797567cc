namespace MaintenanceActors.Actors.Tests.Core;

public sealed class MailboxOrderingSpec : TestKit.TestKit
{
    private const int Senders = 8;
    private const int PerSender = 10_000;

    [Fact]
    public async Task Must_deliver_every_message_once_in_per_sender_order_under_concurrent_senders()
    {
        var counter = Sys.ActorOf(Props.Create(() => new SequenceChecker(Senders)), "checker");

        var senders = Enumerable.Range(0, Senders).Select(sender => Task.Run(() =>
        {
            for (var i = 0; i < PerSender; i++)
            {
                counter.Tell(new Numbered(sender, i), ActorRefs.NoSender);
            }
        })).ToArray();
        await Task.WhenAll(senders);

        var result = await counter.Ask<Summary>(new GetSummary(), TimeSpan.FromSeconds(30));
        result.Total.Should().Be(Senders * PerSender);
        result.OutOfOrder.Should().Be(0);
        result.PerSender.Should().AllSatisfy(c => c.Should().Be(PerSender));
    }

    [Fact]
    public async Task Must_process_one_message_at_a_time()
    {
        var actor = Sys.ActorOf(Props.Create(() => new OverlapDetector()), "overlap");

        var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                actor.Tell("work", ActorRefs.NoSender);
            }
        })).ToArray();
        await Task.WhenAll(senders);

        var (processed, overlaps) = await actor.Ask<(int, int)>("report", TimeSpan.FromSeconds(30));
        processed.Should().Be(20_000);
        overlaps.Should().Be(0);
    }

    private sealed record Numbered(int Sender, int Sequence);

    private sealed record GetSummary;

    private sealed record Summary(int Total, int OutOfOrder, int[] PerSender);

    private sealed class SequenceChecker : ReceiveActor
    {
        private readonly int[] _next;
        private int _total;
        private int _outOfOrder;

        public SequenceChecker(int senders)
        {
            _next = new int[senders];
            Receive<Numbered>(m =>
            {
                if (_next[m.Sender] != m.Sequence)
                {
                    _outOfOrder++;
                }

                _next[m.Sender] = m.Sequence + 1;
                _total++;
            });
            Receive<GetSummary>(_ => Sender.Tell(new Summary(_total, _outOfOrder, [.. _next])));
        }
    }

    private sealed class OverlapDetector : ReceiveActor
    {
        private int _inside;
        private int _processed;
        private int _overlaps;

        public OverlapDetector()
        {
            Receive<string>(_ =>
            {
                if (Interlocked.Increment(ref _inside) != 1)
                {
                    _overlaps++;
                }

                _processed++;
                Thread.SpinWait(20);
                Interlocked.Decrement(ref _inside);
            }, s => s == "work");
            Receive<string>(_ => Sender.Tell((_processed, _overlaps)), s => s == "report");
        }
    }
}
