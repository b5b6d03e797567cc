using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Amazon.SQS.Model;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Sqs;

namespace MaintenanceActors.Drills.Sqs;

/// <summary>
/// Issue 10: 10,000 messages through the SQS poller while maintenance goes on and off 20 times mid-stream: how many are
/// lost, processed twice, or left in the queue. The same messages through a bare SDK receive/process/delete loop with no
/// toggles are the baseline (same emulator, same run).
/// </summary>
internal sealed class SqsTogglesDrill : IDrill
{
    private const int Pollers = 8;

    public string Name => "sqs-toggles";

    public string Description => "10,000 SQS messages across 20 maintenance toggles: lost, processed twice, left (issue 10)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var messages = settings.Size(10_000, 1_000);
        var toggles = settings.Size(20, 4);
        await using var rig = await SqsRig.StartAsync().ConfigureAwait(false);
        var bodies = Enumerable.Range(0, messages).Select(i => $"m{i}").ToArray();

        var queue = await rig.CreateQueueAsync("toggles").ConfigureAwait(false);
        var processor = new RecordingProcessor();
        await using var host = await rig.StartPollerAsync(queue, processor, o =>
        {
            o.Pollers = Pollers;
            o.WaitTime = TimeSpan.FromSeconds(1);
        }).ConfigureAwait(false);
        await host.SetAsync(maintenance: true).ConfigureAwait(false);
        await rig.SendAsync(queue, bodies).ConfigureAwait(false);

        var watch = Stopwatch.StartNew();
        var drains = new List<double>();
        await host.SetAsync(maintenance: false).ConfigureAwait(false);
        for (var toggle = 1; toggle <= toggles; toggle++)
        {
            var target = (long)toggle * messages / (toggles + 2);
            await host.UntilAsync(s => s.Processed >= target, TimeSpan.FromMinutes(2), $"{target} processed").ConfigureAwait(false);
            var entered = Stopwatch.GetTimestamp();
            await host.SetAsync(maintenance: true).ConfigureAwait(false);
            drains.Add(LatencyStats.Ms(entered, Stopwatch.GetTimestamp()));
            if (processor.Running != 0)
            {
                throw new InvalidOperationException($"Toggle {toggle}: drained with {processor.Running} messages still in the processor");
            }
            await host.SetAsync(maintenance: false).ConfigureAwait(false);
        }
        await host.UntilAsync(s => s.Processed >= messages, TimeSpan.FromMinutes(5), "every message processed").ConfigureAwait(false);
        var elapsed = watch.Elapsed;
        var (visible, notVisible) = await rig.CountAsync(queue).ConfigureAwait(false);
        var stats = host.Stats;
        var lost = bodies.Count(b => !processor.Seen.ContainsKey(b));
        var twice = processor.Seen.Count(p => p.Value > 1);

        var baseline = await BareLoopAsync(rig, bodies).ConfigureAwait(false);

        var drainStats = new LatencyStats(drains);
        var table = new MarkdownTable("run", "messages", "toggles", "lost", "processed twice", "left in queue", "released at Enter", "msg/s");
        table.Add("poller", messages.ToString(CultureInfo.InvariantCulture), toggles.ToString(CultureInfo.InvariantCulture),
            lost.ToString(CultureInfo.InvariantCulture), twice.ToString(CultureInfo.InvariantCulture), (visible + notVisible).ToString(CultureInfo.InvariantCulture),
            stats.Released.ToString(CultureInfo.InvariantCulture), (messages / elapsed.TotalSeconds).ToString("0", CultureInfo.InvariantCulture));
        table.Add("baseline: bare SDK loop, no toggles", messages.ToString(CultureInfo.InvariantCulture), "0",
            baseline.Lost.ToString(CultureInfo.InvariantCulture), baseline.Twice.ToString(CultureInfo.InvariantCulture),
            baseline.Left.ToString(CultureInfo.InvariantCulture), "—", baseline.Rate.ToString("0", CultureInfo.InvariantCulture));
        return new DrillReport(Name, table,
            [
                new TargetCheck("lost = 0", lost.ToString(CultureInfo.InvariantCulture), lost == 0),
                new TargetCheck("processed twice = 0", twice.ToString(CultureInfo.InvariantCulture), twice == 0),
                new TargetCheck("left in the queue = 0", (visible + notVisible).ToString(CultureInfo.InvariantCulture), visible + notVisible == 0),
            ],
            [$"{Pollers} pollers, batches of 10, long poll 1 s, processor work 0–2 ms, fauxqs 2.4.1 on 127.0.0.1. Maintenance goes on at evenly spaced "
             + $"progress points and off again as soon as the drain answers; drain (Enter → Drained) p50 {LatencyStats.Format(drainStats.P50)} ms, "
             + $"max {LatencyStats.Format(drainStats.Max)} ms. The poller received {stats.Received} times ({stats.Released} released back at once "
             + "by receives that returned after an Enter, then received again). msg/s includes the toggles."]);
    }

    private static async Task<(int Lost, int Twice, int Left, double Rate)> BareLoopAsync(SqsRig rig, string[] bodies)
    {
        var queue = await rig.CreateQueueAsync("toggles-bare").ConfigureAwait(false);
        await rig.SendAsync(queue, bodies).ConfigureAwait(false);
        var seen = new ConcurrentDictionary<string, int>();
        var deleted = 0;
        var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Pollers).Select(async _ =>
        {
            while (Volatile.Read(ref deleted) < bodies.Length)
            {
                var received = await rig.Client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queue, MaxNumberOfMessages = 10, WaitTimeSeconds = 1 })
                    .ConfigureAwait(false);
                if (received.Messages is not { Count: > 0 } batch)
                {
                    continue;
                }
                await Task.WhenAll(batch.Select(m => Work(m, seen))).ConfigureAwait(false);
                var response = await rig.Client.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
                {
                    QueueUrl = queue,
                    Entries = batch.Select((m, i) => new DeleteMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), m.ReceiptHandle)).ToList(),
                }).ConfigureAwait(false);
                if (Interlocked.Add(ref deleted, response.Successful?.Count ?? 0) >= bodies.Length)
                {
                    done.TrySetResult(watch.Elapsed); // receives still waiting on the empty queue are not timed (nor are the poller's)
                }
            }
        })).ConfigureAwait(false);
        var rate = bodies.Length / (await done.Task.ConfigureAwait(false)).TotalSeconds;
        var (visible, notVisible) = await rig.CountAsync(queue).ConfigureAwait(false);
        return (bodies.Count(b => !seen.ContainsKey(b)), seen.Count(p => p.Value > 1), visible + notVisible, rate);
    }

    private static async Task Work(Message message, ConcurrentDictionary<string, int> seen)
    {
        await Task.Delay(Random.Shared.Next(0, 3)).ConfigureAwait(false);
        seen.AddOrUpdate(message.Body, 1, (_, n) => n + 1);
    }

    private sealed class RecordingProcessor : ISqsMessageProcessor
    {
        private int _running;

        public ConcurrentDictionary<string, int> Seen { get; } = new();

        public int Running => Volatile.Read(ref _running);

        public async Task ProcessAsync(Message message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _running);
            try
            {
                await Work(message, Seen).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }
}
