using Akka.Actor;
using Akka.Pattern;
using Confluent.Kafka;
using MaintenanceActors.Kafka.Testing;
using MaintenanceActors.Kafka.Tests.Fixtures;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Kafka.Tests;

[Collection(KafkaMockCollection.Name)]
public sealed class KafkaConsumerActorSpec : MaintenanceTestKit
{
    private const int Partitions = 4;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly KafkaMockCluster _kafka;
    private readonly ITestOutputHelper _output;
    private long _epoch;

    public KafkaConsumerActorSpec(KafkaMockFixture fixture, ITestOutputHelper output)
        : base(output)
    {
        _kafka = fixture.Cluster;
        _output = output;
    }

    [Fact]
    public async Task Must_process_every_record_once_and_commit_exactly_what_finished_across_maintenance_toggles()
    {
        const int Count = 10_000;
        const int Toggles = 10;
        var topic = _kafka.CreateTopic(Partitions);
        var group = _kafka.NewGroup();
        var processor = new RecordingProcessor { Work = (_, _) => Task.Delay(1) };
        _kafka.Produce(topic, Count);
        var consumer = Start(Options(topic, group), processor);
        await ResumeAsync(consumer);

        for (var toggle = 1; toggle <= Toggles; toggle++)
        {
            var target = toggle * Count / (Toggles + 2);
            await UntilAsync(() => processor.Processed.Count >= target);

            var drained = await EnterAsync(consumer);
            processor.Forbidden = true;
            drained.Outcome.Should().Be(DrainOutcome.Drained);
            processor.Running.Should().Be(0, "a drained consumer has nothing in the processor");
            var stats = await StatsAsync(consumer);
            stats.InFlight.Should().Be(0);
            stats.Paused.Should().BeEquivalentTo(stats.Assigned, "every assigned partition is paused in maintenance");
            // Drained means committed: per partition, the committed offset is exactly the next record to process.
            var committed = _kafka.Committed(group, topic, Partitions);
            for (var p = 0; p < Partitions; p++)
            {
                var done = processor.Processed.Keys.Where(k => k.Partition == p).Select(k => k.Offset).DefaultIfEmpty(-1).Max() + 1;
                (committed[p] < 0 ? 0 : committed[p]).Should().Be(done, $"partition {p} commits exactly what finished (toggle {toggle})");
            }
            _output.WriteLine($"toggle {toggle}: {processor.Processed.Count} processed, drained in {drained.Duration.TotalMilliseconds:F0} ms");

            processor.Forbidden = false;
            await ResumeAsync(consumer);
        }

        await UntilAsync(() => processor.Processed.Count == Count);
        processor.Processed.Count.Should().Be(Count, "no record is lost");
        processor.Duplicates.Should().Be(0, "without a rebalance nothing is processed twice");
        processor.StartedWhileForbidden.Should().Be(0, "no record starts in maintenance");
        processor.OutOfOrder.Should().Be(0, "a partition's records arrive in offset order");
        processor.Overlapping.Should().Be(0, "a partition's records run one at a time");
        await UntilAsync(async () => (await StatsAsync(consumer)).Committed.Values.Sum() == Count);
    }

    internal KafkaConsumerOptions Options(string topic, string group, Action<KafkaConsumerOptions>? adjust = null)
    {
        var options = new KafkaConsumerOptions
        {
            BootstrapServers = _kafka.BootstrapServers,
            Topics = [topic],
            GroupId = group,
            CommitInterval = TimeSpan.FromMilliseconds(100),
            RevokeTimeout = TimeSpan.FromSeconds(5),
            ConfigureConsumer = c =>
            {
                c.SessionTimeoutMs = 3000;
                c.HeartbeatIntervalMs = 300;
            },
        };
        adjust?.Invoke(options);
        return options;
    }

    private IActorRef Start(KafkaConsumerOptions options, IKafkaRecordProcessor processor, string? name = null) =>
        Sys.ActorOf(Props.Create(() => new KafkaConsumerActor(options, processor, null)), name ?? "kafka");

    private async Task ResumeAsync(IActorRef consumer)
    {
        var resumed = await consumer.Ask<ResumeCompleted>(new ExitMaintenance(++_epoch), Wait);
        resumed.Outcome.Should().Be(ResumeOutcome.Resumed);
    }

    private Task<DrainCompleted> EnterAsync(IActorRef consumer, TimeSpan? deadline = null) =>
        consumer.Ask<DrainCompleted>(new EnterMaintenance(++_epoch, DateTimeOffset.UtcNow + (deadline ?? TimeSpan.FromSeconds(20))), Wait);

    private Task<KafkaConsumerStatsSnapshot> StatsAsync(IActorRef consumer) => consumer.Ask<KafkaConsumerStatsSnapshot>(GetKafkaConsumerStats.Instance, Wait);

    private static async Task UntilAsync(Func<bool> condition) =>
        (await Eventually.HoldsAsync(condition, Wait)).Should().BeTrue("the condition should hold within {0}", Wait);

    private static async Task UntilAsync(Func<Task<bool>> condition) =>
        (await Eventually.HoldsAsync(condition, Wait)).Should().BeTrue("the condition should hold within {0}", Wait);
}
