using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Akka.Actor;
using MaintenanceActors.Drills.Core;

namespace MaintenanceActors.Drills.Akka;

/// <summary>
/// Per-request latency of an Akka.NET Ask from outside the actor system (how IMaintenance queries the supervisor),
/// beside the raw equivalent in the same run: a request written to a channel read by a thread-pool loop that
/// completes a per-request TaskCompletionSource with asynchronous continuations, as Ask's own promise does.
/// BenchmarkDotNet's AskBenchmarks gives the mean; this gives the distribution (p50, p99).
/// </summary>
internal sealed class AskLatencyDrill : IDrill
{
    private static readonly object Question = new();
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public string Name => "ask-latency";

    public string Description => "Akka.NET Ask round trip p50/p99/mean, beside a raw channel request/reply (issue 8)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var blocks = settings.Size(10, 2);
        var perBlock = settings.Size(10_000, 2_000);
        await using var system = DrillSystem.Create("drill");
        var echo = system.System.ActorOf(Props.Create(() => new Echo()), "echo");
        var requests = Channel.CreateUnbounded<TaskCompletionSource<object>>(new UnboundedChannelOptions { SingleReader = true });
        var server = Task.Run(async () =>
        {
            await foreach (var request in requests.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                request.TrySetResult(Question);
            }
        }, CancellationToken.None);

        Task<object> Raw()
        {
            var reply = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
            requests.Writer.TryWrite(reply);
            return reply.Task;
        }
        Task<object> Ask() => echo.Ask<object>(Question, Timeout, cancellationToken);

        // Warm-up, then blocks that alternate which side goes first, so drift in the machine's load hits both alike.
        await MeasureAsync(Raw, perBlock, null).ConfigureAwait(false);
        await MeasureAsync(Ask, perBlock, null).ConfigureAwait(false);
        var raw = new List<double>(blocks * perBlock);
        var ask = new List<double>(blocks * perBlock);
        for (var block = 0; block < blocks; block++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (block % 2 == 0)
            {
                await MeasureAsync(Raw, perBlock, raw).ConfigureAwait(false);
                await MeasureAsync(Ask, perBlock, ask).ConfigureAwait(false);
            }
            else
            {
                await MeasureAsync(Ask, perBlock, ask).ConfigureAwait(false);
                await MeasureAsync(Raw, perBlock, raw).ConfigureAwait(false);
            }
        }
        requests.Writer.TryComplete();
        await server.ConfigureAwait(false);

        var rawStats = new LatencyStats(raw);
        var askStats = new LatencyStats(ask);
        var table = new MarkdownTable("round trip (sequential, from outside the actor system)", "samples", "p50 µs", "p99 µs", "max µs", "mean µs");
        Row(table, "raw: channel request -> TaskCompletionSource reply", rawStats);
        Row(table, "Akka.NET Ask<T> to an echo actor (5 s timeout)", askStats);
        return new DrillReport(Name, table,
            [new TargetCheck("Ask round trip mean ≤ 10 µs (each request timed)",
                $"{LatencyStats.Format(askStats.Mean)} µs (p50 {LatencyStats.Format(askStats.P50)} µs, p99 {LatencyStats.Format(askStats.P99)} µs; raw mean {LatencyStats.Format(rawStats.Mean)} µs)",
                askStats.Mean <= 10)],
            [$"{blocks} blocks of {perBlock} sequential requests per side (after one warm-up block each), alternating which side goes first; "
             + "each request timed with Stopwatch from before it was sent to the caller resuming with the reply. Akka.NET's default dispatcher and settings."]);
    }

    private static async Task MeasureAsync(Func<Task<object>> roundTrip, int count, List<double>? into)
    {
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await roundTrip().ConfigureAwait(false);
            into?.Add(LatencyStats.Ms(start, Stopwatch.GetTimestamp()) * 1000);
        }
    }

    private static void Row(MarkdownTable table, string path, LatencyStats stats) =>
        table.Add(path, stats.Count.ToString(CultureInfo.InvariantCulture),
            LatencyStats.Format(stats.P50), LatencyStats.Format(stats.P99), LatencyStats.Format(stats.Max), LatencyStats.Format(stats.Mean));

    public sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell(message, Self));
    }
}
