using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Confluent.Kafka;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Kafka.Testing;

namespace MaintenanceActors.Drills.Kafka;

/// <summary>
/// Issue 9: records/s through the KafkaConsumerActor with a no-op processor versus a bare Confluent.Kafka consume loop
/// (subscribe and Consume, nothing else: it neither stores nor commits offsets, so it is the fastest a consumer can read), both in a fresh group over the same topic on the same mock
/// cluster. Timed from the first record to the last, so the group join is left out of both; rounds alternate the order.
/// </summary>
internal sealed class KafkaThroughputDrill : IDrill
{
    public string Name => "kafka-throughput";

    public string Description => "records/s through KafkaConsumerActor (no-op processor) ÷ a bare consume loop, same mock cluster (issue 9)";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        var count = settings.Size(100_000, 10_000);
        var rounds = settings.Size(6, 1);
        await using var rig = new KafkaRig();
        var topic = rig.Cluster.CreateTopic(KafkaRig.Partitions, "throughput");
        rig.Cluster.Produce(topic, count);

        // Untimed first pass of both sides: JIT and tiering, the mock's first group joins.
        var warmUp = rig.Cluster.CreateTopic(KafkaRig.Partitions, "warmup");
        rig.Cluster.Produce(warmUp, settings.Size(20_000, 2_000));
        BareLoop(rig.Cluster, warmUp, settings.Size(20_000, 2_000));
        await ThroughActorAsync(rig, warmUp, settings.Size(20_000, 2_000)).ConfigureAwait(false);

        var table = new MarkdownTable("round", "bare loop records/s", "actor records/s", "ratio");
        double bareSum = 0, actorSum = 0;
        for (var round = 1; round <= rounds; round++)
        {
            double bare, actor;
            if (round % 2 == 1)
            {
                bare = BareLoop(rig.Cluster, topic, count);
                actor = await ThroughActorAsync(rig, topic, count).ConfigureAwait(false);
            }
            else
            {
                actor = await ThroughActorAsync(rig, topic, count).ConfigureAwait(false);
                bare = BareLoop(rig.Cluster, topic, count);
            }
            bareSum += bare;
            actorSum += actor;
            table.Add(round.ToString(CultureInfo.InvariantCulture), Rate(bare), Rate(actor), LatencyStats.Ratio(actor / bare));
        }
        var ratio = actorSum / bareSum;
        table.Add("all (ratio of sums)", Rate(bareSum / rounds), Rate(actorSum / rounds), LatencyStats.Ratio(ratio));
        return new DrillReport(Name, table,
            [new TargetCheck("actor ÷ bare loop ≥ 0.9 (ratio of sums)", LatencyStats.Ratio(ratio), ratio >= 0.9)],
            [$"{count} records of ~6 B over {KafkaRig.Partitions} partitions, librdkafka's mock cluster (3 brokers) in the drill's own process, "
             + "a fresh consumer group per side and round; timed from the first record to the last. The bare loop only calls Consume; "
             + "the actor side also runs its per-partition lanes, in-order offset tracking and commits every second."]);
    }

    private static double BareLoop(KafkaMockCluster cluster, string topic, int count)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = cluster.NewGroup("bare"),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(topic);
        var received = 0;
        long first = 0;
        var deadline = Stopwatch.StartNew();
        while (received < count)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"The bare loop received {received} of {count}");
            }
            var record = consumer.Consume(10);
            if (record is null || record.IsPartitionEOF)
            {
                continue;
            }
            if (received++ == 0)
            {
                first = Stopwatch.GetTimestamp();
            }
        }
        var seconds = Stopwatch.GetElapsedTime(first).TotalSeconds;
        consumer.Close();
        return (count - 1) / seconds;
    }

    private static async Task<double> ThroughActorAsync(KafkaRig rig, string topic, int count)
    {
        var processor = new CountingProcessor(remember: false);
        var (actor, _) = rig.Start(KafkaRig.Options(rig.Cluster, topic, rig.Cluster.NewGroup("actor")), processor);
        await rig.ResumeAsync(actor).ConfigureAwait(false);
        await KafkaRig.UntilAsync(() => processor.Count >= count, TimeSpan.FromMinutes(2), $"{count} records through the actor").ConfigureAwait(false);
        var rate = (count - 1) / processor.Seconds;
        await actor.GracefulStop(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        return rate;
    }

    private static string Rate(double value) => value.ToString("0", CultureInfo.InvariantCulture);
}
