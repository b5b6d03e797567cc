using System.Diagnostics;
using System.Globalization;
using Amazon.SQS;
using Amazon.SQS.Model;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Sqs;

namespace MaintenanceActors.Drills.Sqs;

/// <summary>
/// Issue 10: messages/s through the SQS poller (AddSqsPoller, no-op processor) versus a bare AWS SDK receive/delete loop
/// with the same concurrency and batch size, on the same fauxqs emulator. Each side drains a queue pre-filled with the same
/// number of messages; rounds alternate which side goes first.
/// </summary>
internal sealed class SqsThroughputDrill : IDrill
{
    private const int Pollers = 8;
    private const int BatchSize = 10;

    public string Name => "sqs-throughput";

    public string Description => "messages/s through the SQS poller (no-op processor) ÷ a bare SDK receive/delete loop, fauxqs (issue 10)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var rounds = settings.Size(6, 1);
        var messages = settings.Size(10_000, 500);
        await using var rig = await SqsRig.StartAsync().ConfigureAwait(false);
        var bodies = Enumerable.Range(0, messages).Select(i => $"m{i}").ToArray();

        // One poller host for the whole drill, parked in maintenance between rounds; each round gives it a fresh queue.
        var table = new MarkdownTable("round", "poller msg/s", "bare loop msg/s", "ratio");
        double pollerSum = 0, bareSum = 0;
        await MeasurePollerAsync(rig, bodies.Take(settings.Size(1000, 100)).ToArray()).ConfigureAwait(false); // JIT, connections
        await MeasureBareAsync(rig, bodies.Take(settings.Size(1000, 100)).ToArray()).ConfigureAwait(false);
        for (var round = 1; round <= rounds; round++)
        {
            double poller, bare;
            if (round % 2 == 1)
            {
                poller = await MeasurePollerAsync(rig, bodies).ConfigureAwait(false);
                bare = await MeasureBareAsync(rig, bodies).ConfigureAwait(false);
            }
            else
            {
                bare = await MeasureBareAsync(rig, bodies).ConfigureAwait(false);
                poller = await MeasurePollerAsync(rig, bodies).ConfigureAwait(false);
            }
            pollerSum += poller;
            bareSum += bare;
            table.Add(round.ToString(CultureInfo.InvariantCulture), Rate(poller), Rate(bare), LatencyStats.Ratio(poller / bare));
        }
        var ratio = pollerSum / bareSum;
        table.Add("all (ratio of sums)", Rate(pollerSum / rounds), Rate(bareSum / rounds), LatencyStats.Ratio(ratio));
        return new DrillReport(Name, table,
            [new TargetCheck("poller msg/s ÷ bare SDK loop msg/s ≥ 0.9 (ratio of sums)", LatencyStats.Ratio(ratio), ratio >= 0.9)],
            [$"{messages} messages per side per round, {rounds} rounds; both sides: {Pollers} concurrent receivers, batches of {BatchSize}, "
             + "long poll 1 s, one DeleteMessageBatch per batch, AWSSDK.SQS 4 against fauxqs 2.4.1 on 127.0.0.1 (Node 22) on the same cores. "
             + "Timed from the start of receiving (poller: leaving maintenance) until every message is deleted; filling the queue is not timed."]);
    }

    private static async Task<double> MeasurePollerAsync(SqsRig rig, string[] bodies)
    {
        var queue = await rig.CreateQueueAsync("tp-poller").ConfigureAwait(false);
        await using var host = await rig.StartPollerAsync(queue, NoOp.Instance, o =>
        {
            o.Pollers = Pollers;
            o.BatchSize = BatchSize;
            o.WaitTime = TimeSpan.FromSeconds(1);
        }).ConfigureAwait(false);
        await host.SetAsync(maintenance: true).ConfigureAwait(false);
        await host.UntilAsync(s => s.ReceivesWaiting == 0, TimeSpan.FromSeconds(10), "the empty queue's polls ending").ConfigureAwait(false);
        await rig.SendAsync(queue, bodies).ConfigureAwait(false);

        var watch = Stopwatch.StartNew();
        await host.SetAsync(maintenance: false).ConfigureAwait(false);
        await host.UntilAsync(s => s.Processed >= bodies.Length, TimeSpan.FromMinutes(5), $"{bodies.Length} messages processed").ConfigureAwait(false);
        var elapsed = watch.Elapsed;
        if (host.Stats.Processed != bodies.Length || host.Stats.Failed != 0)
        {
            throw new InvalidOperationException($"The poller processed {host.Stats.Processed} of {bodies.Length} ({host.Stats.Failed} failed)");
        }
        return bodies.Length / elapsed.TotalSeconds;
    }

    private static async Task<double> MeasureBareAsync(SqsRig rig, string[] bodies)
    {
        var queue = await rig.CreateQueueAsync("tp-bare").ConfigureAwait(false);
        await rig.SendAsync(queue, bodies).ConfigureAwait(false);
        var deleted = 0;
        var done = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Pollers).Select(async _ =>
        {
            while (Volatile.Read(ref deleted) < bodies.Length)
            {
                var received = await rig.Client.ReceiveMessageAsync(new ReceiveMessageRequest
                {
                    QueueUrl = queue,
                    MaxNumberOfMessages = BatchSize,
                    WaitTimeSeconds = 1,
                    VisibilityTimeout = 30,
                }).ConfigureAwait(false);
                if (received.Messages is not { Count: > 0 } batch)
                {
                    continue;
                }
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
        return bodies.Length / (await done.Task.ConfigureAwait(false)).TotalSeconds;
    }

    private static string Rate(double value) => value.ToString("0", CultureInfo.InvariantCulture);

    private sealed class NoOp : ISqsMessageProcessor
    {
        public static readonly NoOp Instance = new();

        public Task ProcessAsync(Message message, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
