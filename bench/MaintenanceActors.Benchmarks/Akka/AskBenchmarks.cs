using System.Threading.Channels;
using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace MaintenanceActors.Benchmarks.Akka;

/// <summary>
/// Ask round trip from outside the actor system (how <c>IMaintenance</c> queries the supervisor), beside the raw
/// equivalent: a request written to a channel read by a thread-pool loop that completes a per-request
/// TaskCompletionSource with asynchronous continuations (as Ask's own promise does). Also: bytes per Tell.
/// Per-request percentiles (p50/p99) are in the Drills' ask-latency drill; BenchmarkDotNet reports means.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(5)]
[IterationCount(15)] // more than ShortRun's 3, so one iteration stalled by a busy machine is an outlier, not the mean
public class AskBenchmarks
{
    private const int RoundTrips = 1_000;
    private static readonly object Question = new();
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private ActorSystem _system = null!;
    private IActorRef _echo = null!;
    private IActorRef _sink = null!;
    private Channel<TaskCompletionSource<object>> _requests = null!;
    private Task _server = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = BenchSystem.Create();
        _echo = _system.ActorOf(Props.Create(() => new Echo()), "echo");
        _sink = _system.ActorOf(Props.Create(() => new Sink()), "sink");
        _requests = Channel.CreateUnbounded<TaskCompletionSource<object>>(new UnboundedChannelOptions { SingleReader = true });
        _server = Task.Run(async () =>
        {
            await foreach (var request in _requests.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                request.TrySetResult(Question);
            }
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _requests.Writer.TryComplete();
        _server.Wait();
        BenchSystem.Terminate(_system);
    }

    /// <summary>
    /// 1,000 sequential round trips per invocation, each awaited as application code awaits it. (BenchmarkDotNet waits for
    /// a returned task by blocking its thread, so one round trip per invocation would mostly measure waking that thread.)
    /// </summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTrips)]
    public async Task RawRequestReply()
    {
        for (var i = 0; i < RoundTrips; i++)
        {
            var reply = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
            _requests.Writer.TryWrite(reply);
            await reply.Task.ConfigureAwait(false);
        }
    }

    [Benchmark(OperationsPerInvoke = RoundTrips)]
    public async Task AkkaAsk()
    {
        for (var i = 0; i < RoundTrips; i++)
        {
            await _echo.Ask<object>(Question, Timeout).ConfigureAwait(false);
        }
    }

    /// <summary>1,000 tells of a preallocated message, then one flush: allocation per tell shows directly.</summary>
    [Benchmark(OperationsPerInvoke = 1_000)]
    public Task AkkaTellBytes()
    {
        for (var i = 0; i < 1_000; i++)
        {
            _sink.Tell(Question, ActorRefs.NoSender);
        }
        var flush = new Flush();
        _sink.Tell(flush, ActorRefs.NoSender);
        return flush.Done.Task;
    }

    public sealed class Flush
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m, Self));
    }

    public sealed class Sink : ReceiveActor
    {
        public Sink()
        {
            Receive<Flush>(f => f.Done.TrySetResult());
            ReceiveAny(_ => { });
        }
    }
}
