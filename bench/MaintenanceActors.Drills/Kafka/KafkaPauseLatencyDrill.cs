using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using MaintenanceActors.Drills.Core;

namespace MaintenanceActors.Drills.Kafka;

/// <summary>
/// Issue 9: from EnterMaintenance sent to the actor until every assigned partition is paused in the consumer, while records
/// flow (1 ms of work each). Beside it, the same hand-off without the actor: a bare consume loop with the same 10 ms poll
/// told from another thread to pause its assignment.
/// </summary>
internal sealed class KafkaPauseLatencyDrill : IDrill
{
    public string Name => "kafka-pause";

    public string Description => "EnterMaintenance → every partition paused, p50/p99, beside a bare loop told to pause (issue 9)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var toggles = settings.Size(200, 20);
        await using var rig = new KafkaRig();
        var topic = rig.Cluster.CreateTopic(KafkaRig.Partitions, "pause");
        rig.Cluster.Produce(topic, settings.Size(40_000, 4_000));

        var processor = new CountingProcessor(remember: false) { Work = () => Task.Delay(1) };
        var (actor, state) = rig.Start(KafkaRig.Options(rig.Cluster, topic, rig.Cluster.NewGroup("pause")), processor);
        await rig.ResumeAsync(actor).ConfigureAwait(false);
        await KafkaRig.UntilAsync(() => state.Partitions.Assigned.Count == KafkaRig.Partitions && processor.Count > 0, TimeSpan.FromSeconds(30), "the assignment").ConfigureAwait(false);
        var actorMs = new List<double>();
        for (var i = 0; i < toggles; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var drained = rig.EnterAsync(actor);
            await KafkaRig.UntilAsync(() => state.Partitions.Paused.Count == KafkaRig.Partitions, TimeSpan.FromSeconds(10), "all partitions paused").ConfigureAwait(false);
            actorMs.Add(LatencyStats.Ms(start, Stopwatch.GetTimestamp()));
            await drained.ConfigureAwait(false);
            await rig.ResumeAsync(actor).ConfigureAwait(false);
            await KafkaRig.UntilAsync(() => state.Partitions.Paused.Count == 0, TimeSpan.FromSeconds(10), "all partitions resumed").ConfigureAwait(false);
        }
        var inFlightRecords = processor.Count;
        var bareMs = BarePauses(rig, topic, toggles);

        var a = new LatencyStats(actorMs);
        var b = new LatencyStats(bareMs);
        var table = new MarkdownTable("path", "toggles", "p50 ms", "p99 ms", "max ms")
            .Add("Enter → all partitions paused (actor)", a.Count.ToString(CultureInfo.InvariantCulture), LatencyStats.Format(a.P50), LatencyStats.Format(a.P99), LatencyStats.Format(a.Max))
            .Add("pause command → paused (bare loop)", b.Count.ToString(CultureInfo.InvariantCulture), LatencyStats.Format(b.P50), LatencyStats.Format(b.P99), LatencyStats.Format(b.Max));
        return new DrillReport(Name, table,
            [new TargetCheck("p99 Enter → all partitions paused ≤ 50 ms", $"{LatencyStats.Format(a.P99)} ms", a.P99 <= 50)],
            [$"{KafkaRig.Partitions} partitions on librdkafka's mock cluster in the drill's process; {inFlightRecords} records processed during "
             + "the toggles (1 ms each). Paused = the consumer thread has called Pause on the whole assignment (PollTimeout 10 ms)."]);
    }

    private static List<double> BarePauses(KafkaRig rig, string topic, int toggles)
    {
        var commands = new ConcurrentQueue<(bool Pause, long SentAt)>();
        var done = new BlockingCollection<double>();
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = rig.Cluster.BootstrapServers,
            GroupId = rig.Cluster.NewGroup("bare-pause"),
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(topic);
        var stop = false;
        var thread = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                while (commands.TryDequeue(out var command))
                {
                    if (command.Pause)
                    {
                        consumer.Pause(consumer.Assignment);
                    }
                    else
                    {
                        consumer.Resume(consumer.Assignment);
                    }
                    done.Add(LatencyStats.Ms(command.SentAt, Stopwatch.GetTimestamp()));
                }
                consumer.Consume(10);
            }
        });
        thread.Start();
        var wait = Stopwatch.StartNew();
        while (consumer.Assignment.Count < KafkaRig.Partitions && wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(5);
        }
        var samples = new List<double>();
        for (var i = 0; i < toggles; i++)
        {
            commands.Enqueue((true, Stopwatch.GetTimestamp()));
            samples.Add(done.Take());
            commands.Enqueue((false, Stopwatch.GetTimestamp()));
            done.Take();
        }
        Volatile.Write(ref stop, true);
        thread.Join();
        consumer.Close();
        return samples;
    }
}
