using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Amazon.SQS.Model;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Sqs;

namespace MaintenanceActors.Drills.Sqs;

/// <summary>
/// Issue 10: from Enter (the switch flipped) to the last receive of the poller returning, and how many messages that
/// leaves stranded (received, not processed, still invisible). The poller does not cancel a waiting long poll, so the
/// time is bounded by the long-poll wait; a message such a poll brings back is released at once. Rounds run on an idle
/// queue (the polls wait their full time) and under a trickle of messages (the polls return early, often with a message
/// that must be released). The baseline is a bare SDK receive with the same wait on an empty queue, in the same run.
/// </summary>
internal sealed class SqsEnterDrill : IDrill
{
    private const int WaitSeconds = 2;
    private const int Pollers = 4;

    public string Name => "sqs-enter";

    public string Description => "SQS Enter → last receive returned (bounded by the long-poll wait) and messages stranded (issue 10)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var rounds = settings.Size(10, 2);
        await using var rig = await SqsRig.StartAsync().ConfigureAwait(false);
        var queue = await rig.CreateQueueAsync("enter", visibilitySeconds: 60).ConfigureAwait(false);

        var bare = new List<double>();
        for (var i = 0; i < Math.Min(rounds, 3); i++)
        {
            var started = Stopwatch.GetTimestamp();
            await rig.Client.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = queue, WaitTimeSeconds = WaitSeconds }).ConfigureAwait(false);
            bare.Add(LatencyStats.Ms(started, Stopwatch.GetTimestamp()));
        }

        var processor = new CountingProcessor();
        await using var host = await rig.StartPollerAsync(queue, processor, o =>
        {
            o.Pollers = Pollers;
            o.WaitTime = TimeSpan.FromSeconds(WaitSeconds);
            o.VisibilityTimeout = TimeSpan.FromSeconds(60); // a stranded message would stay invisible long enough to be counted
            o.HeartbeatInterval = TimeSpan.FromSeconds(20);
        }).ConfigureAwait(false);

        var idle = new List<double>();
        var trickle = new List<double>();
        var stranded = 0;
        var sent = 0;
        foreach (var withTrickle in new[] { false, true })
        {
            for (var round = 0; round < rounds; round++)
            {
                using var stopTrickle = new CancellationTokenSource();
                var producer = withTrickle ? TrickleAsync(rig, queue, () => Interlocked.Increment(ref sent), stopTrickle.Token) : Task.CompletedTask;
                if (withTrickle)
                {
                    await Task.Delay(Random.Shared.Next(100, 400), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await host.UntilAsync(s => s.ReceivesWaiting == Pollers, TimeSpan.FromSeconds(10), "every poller waiting in a receive").ConfigureAwait(false);
                }

                var entered = Stopwatch.GetTimestamp();
                await host.Maintenance.SetMaintenanceModeAsync(true, "drill", cancellationToken).ConfigureAwait(false);
                await host.UntilAsync(s => s.ReceivesWaiting == 0, TimeSpan.FromSeconds(WaitSeconds + 30), "the last receive returning").ConfigureAwait(false);
                (withTrickle ? trickle : idle).Add(LatencyStats.Ms(entered, Stopwatch.GetTimestamp()));
                await host.SetAsync(maintenance: true).ConfigureAwait(false); // drained: nothing in the processor
                await stopTrickle.CancelAsync().ConfigureAwait(false);
                await producer.ConfigureAwait(false);

                // In maintenance nothing may stay invisible: whatever came back after Enter was released at once. The release call
                // follows the receive, so first let the poller's books balance (a stranded message would keep them apart: then count anyway).
                try
                {
                    await host.UntilAsync(s => s.Received == s.Processed + s.Failed + s.Released, TimeSpan.FromSeconds(5), "the releases").ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
                var (_, notVisible) = await rig.CountAsync(queue).ConfigureAwait(false);
                stranded += notVisible;
                await host.SetAsync(maintenance: false).ConfigureAwait(false);
            }
        }
        await host.UntilAsync(s => s.Processed >= Volatile.Read(ref sent), TimeSpan.FromSeconds(60), "every sent message processed").ConfigureAwait(false);
        var twice = processor.Seen.Count(p => p.Value > 1);
        var (leftVisible, leftInvisible) = await rig.CountAsync(queue).ConfigureAwait(false);

        var idleStats = new LatencyStats(idle);
        var trickleStats = new LatencyStats(trickle);
        var bareStats = new LatencyStats(bare);
        var bound = WaitSeconds * 1000.0 + 500;
        var table = new MarkdownTable("rounds", "Enter → last receive returned: p50 ms", "p99 ms", "max ms", "messages stranded");
        table.Add($"idle queue ({idle.Count})", Fmt(idleStats.P50), Fmt(idleStats.P99), Fmt(idleStats.Max), "—");
        table.Add($"trickle of messages ({trickle.Count})", Fmt(trickleStats.P50), Fmt(trickleStats.P99), Fmt(trickleStats.Max),
            stranded.ToString(CultureInfo.InvariantCulture));
        table.Add($"baseline: bare SDK receive, {WaitSeconds} s wait, empty queue ({bare.Count})", Fmt(bareStats.P50), Fmt(bareStats.P99), Fmt(bareStats.Max), "—");
        var worst = Math.Max(idleStats.Max, trickleStats.Max);
        return new DrillReport(Name, table,
            [
                new TargetCheck($"Enter → last receive returned ≤ the long-poll wait + 0.5 s ({bound:0} ms)", $"max {Fmt(worst)} ms", worst <= bound),
                new TargetCheck("messages stranded = 0 (none invisible while in maintenance)", stranded.ToString(CultureInfo.InvariantCulture), stranded == 0),
            ],
            [$"{Pollers} pollers, long poll {WaitSeconds} s, visibility 60 s, fauxqs 2.4.1 on 127.0.0.1. Each round: every poller waiting in a receive, "
             + "(trickle rounds: a message every ~20 ms for 0.1–0.4 s, and on through the Enter), then maintenance on; timed from the switch to the poller's "
             + "count of waiting receives reaching 0. Stranded = ApproximateNumberOfMessagesNotVisible once drained and the last receive returned. "
             + $"Over the run: {sent} messages sent, {host.Stats.Released} released at once by receives that returned after Enter, "
             + $"{host.Stats.Processed} processed, {twice} processed twice, {leftVisible + leftInvisible} left in the queue."]);
    }

    private static async Task TrickleAsync(SqsRig rig, string queue, Func<int> next, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await rig.Client.SendMessageAsync(queue, $"t{next()}", CancellationToken.None).ConfigureAwait(false);
            try
            {
                await Task.Delay(20, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static string Fmt(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture);

    private sealed class CountingProcessor : ISqsMessageProcessor
    {
        public ConcurrentDictionary<string, int> Seen { get; } = new();

        public Task ProcessAsync(Message message, CancellationToken cancellationToken)
        {
            Seen.AddOrUpdate(message.Body, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }
    }
}
