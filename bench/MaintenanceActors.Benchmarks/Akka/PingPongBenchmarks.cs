using System.Threading.Channels;
using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace MaintenanceActors.Benchmarks.Akka;

/// <summary>
/// Two parties bounce one message back and forth, one in flight; time per message (two per round trip).
/// The floor is the fastest raw hand-off: <see cref="RawValueTaskSource"/> and <see cref="RawChannel"/> let the
/// waiting side continue inline on the writer's thread, the cheapest hand-off .NET offers; the target compares
/// Akka.NET with the faster of the two in the same run. <see cref="RawChannelThreadPool"/> is context only: the
/// same channels with every message crossing to a thread-pool thread, as between two actors.
/// Akka.NET runs on its default dispatcher and settings.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(5)]
[IterationCount(15)] // more than ShortRun's 3, so one iteration stalled by a busy machine is an outlier, not the mean
public class PingPongBenchmarks
{
    private const int RoundTrips = 100_000;
    private static readonly object Ball = new();
    private ActorSystem _system = null!;
    private IActorRef _pinger = null!;
    private IActorRef _ponger = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = BenchSystem.Create();
        _ponger = _system.ActorOf(Props.Create(() => new Ponger()), "ponger");
        _pinger = _system.ActorOf(Props.Create(() => new Pinger()), "pinger");
    }

    [GlobalCleanup]
    public void Cleanup() => BenchSystem.Terminate(_system);

    /// <summary>Two unbounded channels, SingleReader/SingleWriter, continuations allowed to run synchronously.</summary>
    [Benchmark(OperationsPerInvoke = RoundTrips * 2)]
    public Task RawChannel() => ChannelPingPong(allowSynchronousContinuations: true);

    private static async Task ChannelPingPong(bool allowSynchronousContinuations)
    {
        var options = new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = allowSynchronousContinuations };
        var toPong = Channel.CreateUnbounded<int>(options);
        var toPing = Channel.CreateUnbounded<int>(options);
        var ponger = Pong(toPong.Reader, toPing.Writer);
        for (var i = RoundTrips - 1; i >= 0; i--)
        {
            toPong.Writer.TryWrite(i);
            await toPing.Reader.ReadAsync().ConfigureAwait(false);
        }
        await ponger.ConfigureAwait(false);

        static async Task Pong(ChannelReader<int> reader, ChannelWriter<int> writer)
        {
            while (true)
            {
                var n = await reader.ReadAsync().ConfigureAwait(false);
                writer.TryWrite(n);
                if (n == 0)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// For context, not a floor: the same channels with continuations forced onto the thread pool, so every
    /// message crosses threads as it does between two actors.
    /// </summary>
    [Benchmark(OperationsPerInvoke = RoundTrips * 2)]
    public Task RawChannelThreadPool() => ChannelPingPong(allowSynchronousContinuations: false);

    /// <summary>Two reusable one-slot hand-offs on <c>ManualResetValueTaskSourceCore</c>: no queue at all.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTrips * 2)]
    public async Task RawValueTaskSource()
    {
        var toPong = new RawHandoff();
        var toPing = new RawHandoff();
        var ponger = Pong(toPong, toPing);
        for (var i = RoundTrips - 1; i >= 0; i--)
        {
            toPong.Write(i);
            await toPing.ReadAsync().ConfigureAwait(false);
        }
        await ponger.ConfigureAwait(false);

        static async Task Pong(RawHandoff inbox, RawHandoff outbox)
        {
            while (true)
            {
                var n = await inbox.ReadAsync().ConfigureAwait(false);
                outbox.Write(n);
                if (n == 0)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Two Akka.NET actors: Tell, Sender.Tell back, with the same preallocated message.</summary>
    [Benchmark(OperationsPerInvoke = RoundTrips * 2)]
    public Task AkkaTell()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pinger.Tell(new Serve(_ponger, RoundTrips, done), ActorRefs.NoSender);
        return done.Task;
    }

    public sealed record Serve(IActorRef Ponger, int RoundTrips, TaskCompletionSource Done);

    public sealed class Pinger : ReceiveActor
    {
        private int _remaining;
        private TaskCompletionSource? _done;

        public Pinger()
        {
            Receive<Serve>(serve =>
            {
                _remaining = serve.RoundTrips;
                _done = serve.Done;
                serve.Ponger.Tell(Ball, Self);
            });
            ReceiveAny(ball =>
            {
                if (--_remaining == 0)
                {
                    _done!.TrySetResult();
                }
                else
                {
                    Sender.Tell(ball, Self);
                }
            });
        }
    }

    public sealed class Ponger : ReceiveActor
    {
        public Ponger() => ReceiveAny(ball => Sender.Tell(ball, Self));
    }
}
