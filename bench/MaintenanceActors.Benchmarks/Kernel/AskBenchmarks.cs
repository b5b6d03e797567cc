using BenchmarkDotNet.Attributes;
using MaintenanceActors.Actors;

namespace MaintenanceActors.Benchmarks.Kernel;

/// <summary>Ask round trip (temporary reply target, timeout timer, reply) and the bytes one Tell allocates.</summary>
[MemoryDiagnoser]
public class AskBenchmarks
{
    private static readonly object Question = new();
    private ActorSystem system = null!;
    private IActorRef echo = null!;
    private IActorRef sink = null!;
    private Sink.Flush flush = null!;

    [GlobalSetup]
    public void Setup()
    {
        system = ActorSystem.Create("bench");
        echo = system.ActorOf(Props.Create(() => new Echo()), "echo");
        sink = system.ActorOf(Props.Create(() => new Sink()), "sink");
    }

    [GlobalCleanup]
    public void Cleanup() => system.Terminate().GetAwaiter().GetResult();

    [Benchmark]
    public Task<object> AskRoundTrip() => echo.Ask<object>(Question, TimeSpan.FromSeconds(5));

    /// <summary>1,000 tells of a pre-built message, then one flush: allocation per tell shows directly.</summary>
    [Benchmark(OperationsPerInvoke = 1_000)]
    public Task TellAllocation()
    {
        for (int i = 0; i < 1_000; i++) sink.Tell(Question, ActorRefs.NoSender);
        flush = new Sink.Flush();
        sink.Tell(flush, ActorRefs.NoSender);
        return flush.Done.Task;
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m, Self));
    }

    private sealed class Sink : ReceiveActor
    {
        internal sealed class Flush
        {
            public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public Sink()
        {
            Receive<Flush>(f => f.Done.TrySetResult());
            ReceiveAny(_ => { });
        }
    }
}
