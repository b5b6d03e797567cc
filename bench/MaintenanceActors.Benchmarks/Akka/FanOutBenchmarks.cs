using System.Threading.Channels;
using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace MaintenanceActors.Benchmarks.Akka;

/// <summary>
/// One sender, eight long-lived receivers (the supervisor's fan-out shape): time per delivered message.
/// Each invocation sends a round marker, then <see cref="PerReceiver"/> messages to every receiver, and ends
/// when all eight counted them. The raw forms are the same protocol over eight SingleReader/SingleWriter channels
/// read by eight async loops: <see cref="RawChannel"/> with the readers on the thread pool (as actors run), and
/// <see cref="RawChannelInline"/> with continuations allowed to run synchronously, so a waiting reader counts
/// on the sender's thread. The faster of the two is the floor.
/// </summary>
[MemoryDiagnoser]
public class FanOutBenchmarks
{
    private const int Receivers = 8;
    private const int PerReceiver = 20_000;
    private static readonly object Message = new();
    private ActorSystem _system = null!;
    private IActorRef[] _actors = null!;
    private Channel<object>[] _channels = null!;
    private Channel<object>[] _inlineChannels = null!;
    private Task[] _readers = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = BenchSystem.Create();
        _actors = Enumerable.Range(0, Receivers).Select(i => _system.ActorOf(Props.Create(() => new Counter()), $"counter-{i}")).ToArray();
        _channels = Channels(allowSynchronousContinuations: false);
        _inlineChannels = Channels(allowSynchronousContinuations: true);
        _readers = _channels.Concat(_inlineChannels).Select(c => Task.Run(() => CountAsync(c.Reader))).ToArray();

        static Channel<object>[] Channels(bool allowSynchronousContinuations) => Enumerable.Range(0, Receivers)
            .Select(_ => Channel.CreateUnbounded<object>(new UnboundedChannelOptions
            {
                SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = allowSynchronousContinuations,
            }))
            .ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var channel in _channels.Concat(_inlineChannels))
        {
            channel.Writer.TryComplete();
        }
        Task.WaitAll(_readers);
        BenchSystem.Terminate(_system);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Receivers * PerReceiver)]
    public Task RawChannel() => Send(_channels);

    [Benchmark(OperationsPerInvoke = Receivers * PerReceiver)]
    public Task RawChannelInline() => Send(_inlineChannels);

    private static Task Send(Channel<object>[] channels)
    {
        var round = new Round(PerReceiver, Receivers);
        foreach (var channel in channels)
        {
            channel.Writer.TryWrite(round);
        }
        for (var i = 0; i < PerReceiver; i++)
        {
            foreach (var channel in channels)
            {
                channel.Writer.TryWrite(Message);
            }
        }
        return round.AllCounted.Task;
    }

    [Benchmark(OperationsPerInvoke = Receivers * PerReceiver)]
    public Task AkkaTell()
    {
        var round = new Round(PerReceiver, Receivers);
        foreach (var actor in _actors)
        {
            actor.Tell(round, ActorRefs.NoSender);
        }
        for (var i = 0; i < PerReceiver; i++)
        {
            foreach (var actor in _actors)
            {
                actor.Tell(Message, ActorRefs.NoSender);
            }
        }
        return round.AllCounted.Task;
    }

    private static async Task CountAsync(ChannelReader<object> reader)
    {
        var counter = new Tally();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var message))
            {
                counter.Take(message);
            }
        }
    }

    /// <summary>One invocation: each receiver counts <see cref="Expected"/> messages, the last to finish completes the task.</summary>
    public sealed class Round(int expected, int receivers)
    {
        private int _pending = receivers;

        public int Expected { get; } = expected;

        public TaskCompletionSource AllCounted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OneCounted()
        {
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                AllCounted.TrySetResult();
            }
        }
    }

    /// <summary>The receiver's logic, shared by the actor and the channel loop.</summary>
    private sealed class Tally
    {
        private Round? _round;
        private int _seen;

        public void Take(object message)
        {
            if (message is Round round)
            {
                _round = round;
                _seen = 0;
            }
            else if (++_seen == _round!.Expected)
            {
                _round.OneCounted();
            }
        }
    }

    public sealed class Counter : ReceiveActor
    {
        public Counter()
        {
            var tally = new Tally();
            ReceiveAny(tally.Take);
        }
    }
}
