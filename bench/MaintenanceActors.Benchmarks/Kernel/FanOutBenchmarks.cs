using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using MaintenanceActors.Actors;

namespace MaintenanceActors.Benchmarks.Kernel;

/// <summary>One sender, eight receivers: what the supervisor's fan-out costs per delivered message.</summary>
[MemoryDiagnoser]
public class FanOutBenchmarks
{
    private const int Receivers = 8;
    private const int PerReceiver = 50_000;
    private static readonly object Message = new();
    private ActorSystem system = null!;
    private IActorRef[] counters = null!;
    private Counter.Round round = null!;

    [GlobalSetup]
    public void Setup()
    {
        system = ActorSystem.Create("bench");
        counters = Enumerable.Range(0, Receivers)
            .Select(i => system.ActorOf(Props.Create(() => new Counter()), $"counter-{i}"))
            .ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => system.Terminate().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = Receivers * PerReceiver)]
    public async Task RawChannelFanOut()
    {
        var channels = Enumerable.Range(0, Receivers)
            .Select(_ => Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true }))
            .ToArray();
        var readers = channels.Select(c => Task.Run(async () =>
        {
            int seen = 0;
            while (seen < PerReceiver && await c.Reader.WaitToReadAsync())
            {
                while (seen < PerReceiver && c.Reader.TryRead(out _)) seen++;
            }
        })).ToArray();
        for (int i = 0; i < PerReceiver; i++)
        {
            foreach (var c in channels) c.Writer.TryWrite(Message);
        }
        await Task.WhenAll(readers);
    }

    [Benchmark(OperationsPerInvoke = Receivers * PerReceiver)]
    public Task ActorFanOut()
    {
        round = new Counter.Round(PerReceiver, Receivers);
        foreach (var c in counters) c.Tell(round, ActorRefs.NoSender);
        for (int i = 0; i < PerReceiver; i++)
        {
            foreach (var c in counters) c.Tell(Message, ActorRefs.NoSender);
        }
        return round.AllDone.Task;
    }

    private sealed class Counter : ReceiveActor
    {
        internal sealed class Round(int expected, int receivers)
        {
            private int pending = receivers;
            public int Expected { get; } = expected;
            public TaskCompletionSource AllDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
            public void OneDone()
            {
                if (Interlocked.Decrement(ref pending) == 0) AllDone.TrySetResult();
            }
        }

        private Round? current;
        private int seen;

        public Counter()
        {
            Receive<Round>(r => { current = r; seen = 0; });
            ReceiveAny(_ =>
            {
                if (++seen == current!.Expected) current.OneDone();
            });
        }
    }
}
