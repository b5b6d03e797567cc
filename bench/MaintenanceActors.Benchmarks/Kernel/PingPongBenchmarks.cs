using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using MaintenanceActors.Actors;

namespace MaintenanceActors.Benchmarks.Kernel;

/// <summary>
/// Two parties bounce one message back and forth. The raw channel version is the floor an
/// actor kernel on the thread pool can hope to approach: same hand-offs, no actor machinery.
/// </summary>
[MemoryDiagnoser]
public class PingPongBenchmarks
{
    private const int RoundTrips = 100_000;
    private ActorSystem system = null!;
    private IActorRef ping = null!;
    private IActorRef pong = null!;

    [GlobalSetup]
    public void Setup()
    {
        system = ActorSystem.Create("bench");
        pong = system.ActorOf(Props.Create(() => new Ponger()), "pong");
        ping = system.ActorOf(Props.Create(() => new Pinger()), "ping");
    }

    [GlobalCleanup]
    public void Cleanup() => system.Terminate().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTrips * 2)]
    public async Task RawChannelPingPong()
    {
        var toPong = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var toPing = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var ponger = Task.Run(async () =>
        {
            await foreach (var n in toPong.Reader.ReadAllAsync())
            {
                toPing.Writer.TryWrite(n);
                if (n == 0) return;
            }
        });
        toPong.Writer.TryWrite(RoundTrips - 1);
        await foreach (var n in toPing.Reader.ReadAllAsync())
        {
            if (n == 0) break;
            toPong.Writer.TryWrite(n - 1);
        }
        await ponger;
    }

    [Benchmark(OperationsPerInvoke = RoundTrips * 2)]
    public Task ActorPingPong()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ping.Tell(new Start(pong, RoundTrips, done), ActorRefs.NoSender);
        return done.Task;
    }

    internal sealed record Start(IActorRef Pong, int RoundTrips, TaskCompletionSource Done);

    private sealed class Pinger : ReceiveActor
    {
        private static readonly object Ball = new();
        private int remaining;
        private TaskCompletionSource? done;

        public Pinger()
        {
            Receive<Start>(s =>
            {
                remaining = s.RoundTrips;
                done = s.Done;
                s.Pong.Tell(Ball, Self);
            });
            Receive<object>(ball =>
            {
                if (--remaining == 0) done!.TrySetResult();
                else Sender.Tell(ball, Self);
            });
        }
    }

    private sealed class Ponger : ReceiveActor
    {
        public Ponger() => ReceiveAny(m => Sender.Tell(m, Self));
    }
}
