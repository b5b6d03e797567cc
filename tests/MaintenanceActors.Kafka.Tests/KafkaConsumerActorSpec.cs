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
        // Small work: every fifth record waits a millisecond, so the toggles land while records flow.
        var processor = new RecordingProcessor { Work = (r, _) => r.Offset.Value % 5 == 0 ? Task.Delay(1) : Task.CompletedTask };
        _kafka.Produce(topic, Count);
        var consumer = Start(Options(topic, group), processor);
        // Reads the group's committed offsets from the broker (one client for all toggles: each new one costs a coordinator lookup).
        using var offsets = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _kafka.BootstrapServers, GroupId = group }).Build();
        await ResumeAsync(consumer);

        for (var toggle = 1; toggle <= Toggles; toggle++)
        {
            var target = toggle * Count / (Toggles + 2);
            await UntilAsync(() => processor.Processed.Count >= target);

            var drained = await EnterAsync(consumer);
            processor.Forbidden = true;
            processor.Processed.Count.Should().BeLessThan(Count, "the toggle must come while records are still flowing");
            drained.Outcome.Should().Be(DrainOutcome.Drained);
            processor.Running.Should().Be(0, "a drained consumer has nothing in the processor");
            var stats = await StatsAsync(consumer);
            stats.InFlight.Should().Be(0);
            stats.Paused.Should().BeEquivalentTo(stats.Assigned, "every assigned partition is paused in maintenance");
            // Drained means committed: per partition, the committed offset is exactly the next record to process.
            var committed = offsets.Committed(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)), Wait)
                .ToDictionary(o => o.Partition.Value, o => o.Offset.Value);
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

    [Fact]
    public async Task Must_let_no_record_reach_either_consumer_when_a_second_joins_during_maintenance_until_exit()
    {
        var topic = _kafka.CreateTopic(Partitions);
        var group = _kafka.NewGroup();
        var first = new RecordingProcessor();
        var second = new RecordingProcessor();
        _kafka.Produce(topic, 400, "before");
        var a = Start(Options(topic, group), first, "a");
        await ResumeAsync(a);
        await UntilAsync(() => first.Processed.Count == 400);

        (await EnterAsync(a)).Outcome.Should().Be(DrainOutcome.Drained);
        first.Forbidden = second.Forbidden = true;
        var b = Start(Options(topic, group), second, "b");
        (await EnterAsync(b)).Outcome.Should().Be(DrainOutcome.Drained);
        await UntilAsync(async () => (await StatsAsync(a)).Assigned.Count + (await StatsAsync(b)).Assigned.Count == Partitions
                                     && (await StatsAsync(b)).Assigned.Count > 0);
        _kafka.Produce(topic, 400, "during");
        await ProvenFetchableAsync(topic, 800);

        (await StatsAsync(b)).Received.Should().Be(0, "the new member's partitions were paused before anything was fetched");
        (await StatsAsync(a)).Received.Should().Be(400, "nothing new was fetched by the paused member");
        foreach (var consumer in new[] { a, b })
        {
            var stats = await StatsAsync(consumer);
            stats.Paused.Should().BeEquivalentTo(stats.Assigned, "every partition a member owns after the rebalance is paused");
        }
        first.StartedWhileForbidden.Should().Be(0);
        second.StartedWhileForbidden.Should().Be(0);

        first.Forbidden = second.Forbidden = false;
        await ResumeAsync(a);
        await ResumeAsync(b);
        await UntilAsync(() => first.Processed.Count + second.Processed.Count == 800);
        (first.Duplicates + second.Duplicates + first.Processed.Keys.Intersect(second.Processed.Keys).Count())
            .Should().Be(0, "the drain committed everything before the rebalance");
    }

    [Theory]
    [InlineData(PartitionAssignmentStrategy.Range)]
    [InlineData(PartitionAssignmentStrategy.CooperativeSticky)]
    public async Task Must_pause_partitions_that_arrive_from_another_member_while_in_maintenance(PartitionAssignmentStrategy strategy)
    {
        var topic = _kafka.CreateTopic(Partitions);
        var group = _kafka.NewGroup();
        var processor = new RecordingProcessor();
        void Strategy(KafkaConsumerOptions o) => o.ConfigureConsumer += c => c.PartitionAssignmentStrategy = strategy;
        // B owns every partition first, so A has never paused the ones it gets from B (librdkafka does not pause them for it).
        var b = Start(Options(topic, group, Strategy), new RecordingProcessor(), "b");
        await ResumeAsync(b);
        await UntilAsync(async () => (await StatsAsync(b)).Assigned.Count == Partitions);
        var a = Start(Options(topic, group, o =>
        {
            Strategy(o);
            o.HealthCheckInterval = TimeSpan.FromSeconds(1);
        }), processor, "a");
        await ResumeAsync(a);
        await UntilAsync(async () => (await StatsAsync(a)).Assigned.Count is > 0 and < Partitions && (await StatsAsync(b)).Assigned.Count < Partitions);
        (await EnterAsync(a)).Outcome.Should().Be(DrainOutcome.Drained);
        (await EnterAsync(b)).Outcome.Should().Be(DrainOutcome.Drained);
        processor.Forbidden = true;

        var rebalancesBefore = (await StatsAsync(a)).Rebalances;
        Sys.Stop(b);
        await UntilAsync(async () => (await StatsAsync(a)).Assigned.Count == Partitions && (await StatsAsync(a)).Rebalances > rebalancesBefore);
        _kafka.Produce(topic, 400, "after");
        await ProvenFetchableAsync(topic, 400);
        var stats = await StatsAsync(a);
        stats.Received.Should().Be(0, "no partition was fetched while in maintenance, including those that came from B");
        stats.Paused.Should().HaveCount(Partitions).And.BeEquivalentTo(stats.Assigned);
        processor.StartedWhileForbidden.Should().Be(0);
        await UntilAsync(async () => (await StatsAsync(a)).Lag.Values.Sum() == 400); // paused partitions' lag comes from the broker

        processor.Forbidden = false;
        await ResumeAsync(a);
        await UntilAsync(() => processor.Processed.Count == 400);
        processor.Duplicates.Should().Be(0);
    }

    [Fact]
    public async Task Must_resume_partitions_that_come_back_after_exit_though_they_were_paused_when_they_left()
    {
        var topic = _kafka.CreateTopic(Partitions);
        var group = _kafka.NewGroup();
        var processor = new RecordingProcessor();
        var a = Start(Options(topic, group), processor, "a");
        await ResumeAsync(a);
        await UntilAsync(async () => (await StatsAsync(a)).Assigned.Count == Partitions);
        (await EnterAsync(a)).Outcome.Should().Be(DrainOutcome.Drained); // A pauses all four

        // B takes two of them while A is paused; A resumes exactly what it owns; B leaves and the two come back to A, which
        // librdkafka still remembers as paused: A must resume them, or they would never be read again.
        var b = Start(Options(topic, group), new RecordingProcessor(), "b");
        await ResumeAsync(b);
        await UntilAsync(async () => (await StatsAsync(b)).Assigned.Count > 0 && (await StatsAsync(a)).Assigned.Count < Partitions);
        await ResumeAsync(a);
        var rebalancesBefore = (await StatsAsync(a)).Rebalances;
        Sys.Stop(b);
        await UntilAsync(async () => (await StatsAsync(a)).Assigned.Count == Partitions && (await StatsAsync(a)).Rebalances > rebalancesBefore);

        _kafka.Produce(topic, 400, "after");
        await UntilAsync(() => processor.Processed.Count == 400);
        (await StatsAsync(a)).Paused.Should().BeEmpty();
    }

    [Fact]
    public async Task Must_answer_TimedOut_with_the_count_when_a_record_hangs_and_stay_paused()
    {
        var topic = _kafka.CreateTopic(Partitions);
        var group = _kafka.NewGroup();
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var token = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var processor = new RecordingProcessor
        {
            Work = (r, ct) =>
            {
                if (r.Offset.Value != 0)
                {
                    return Task.CompletedTask;
                }
                token.TrySetResult(ct);
                return letGo.Task;
            },
        };
        var a = Start(Options(topic, group), processor);
        await ResumeAsync(a);
        // One record per partition at offset 0: all four hang.
        using (var producer = _kafka.CreateProducer())
        {
            for (var p = 0; p < Partitions; p++)
            {
                producer.Produce(new TopicPartition(topic, p), new Message<byte[], byte[]> { Value = [1] });
            }
            producer.Flush(Wait);
        }
        await UntilAsync(() => processor.Running == Partitions);
        var seen = await token.Task.WaitAsync(Wait);

        var drain = await EnterAsync(a, TimeSpan.FromMilliseconds(300));
        drain.Outcome.Should().Be(DrainOutcome.TimedOut);
        drain.InFlightAtDeadline.Should().Be(Partitions);
        seen.IsCancellationRequested.Should().BeFalse("maintenance never cancels the processor's token");
        var stats = await StatsAsync(a);
        stats.Paused.Should().HaveCount(Partitions, "a timed-out drain still takes nothing new");
        stats.InFlight.Should().Be(Partitions);

        letGo.SetResult();
        await UntilAsync(async () => (await StatsAsync(a)).Committed.Values.Sum() == Partitions);
        (await StatsAsync(a)).Paused.Should().HaveCount(Partitions);
    }

    [Fact]
    public async Task Must_restart_after_its_consumer_thread_crashes_and_resume_from_the_committed_offsets()
    {
        var topic = _kafka.CreateTopic(Partitions);
        var group = _kafka.NewGroup();
        var processor = new RecordingProcessor();
        var options = Options(topic, group);
        var state = new KafkaConsumerState(TimeProvider.System);
        var backoff = Backoff.OnFailure(Props.Create(() => new KafkaConsumerActor(options, processor, state)), "kafka",
            TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), 0.2, -1);
        var supervisor = Sys.ActorOf(BackoffSupervisor.Props(backoff), "kafka-backoff");
        await ResumeAsync(supervisor);
        _kafka.Produce(topic, 500, "first");
        await UntilAsync(() => processor.Processed.Count == 500);
        await UntilAsync(() => state.Committed.Values.Sum() == 500);

        var crashed = await CurrentChildAsync(supervisor);
        supervisor.Tell(new CrashConsumerThread(new InvalidOperationException("simulated client failure")));
        await UntilAsync(async () => await CurrentChildAsync(supervisor) is { } child && !child.Equals(crashed));
        // The restarted actor starts paused and asks its parent for the desired state; here the spec stands for the supervisor.
        await ResumeAsync(supervisor);
        _kafka.Produce(topic, 500, "second");
        await UntilAsync(() => processor.Processed.Count == 1000);
        processor.Duplicates.Should().Be(0, "the new consumer starts at the committed offsets, not from the beginning");
        state.LastErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task Must_leave_the_group_after_draining_when_asked_to_and_join_again_on_exit()
    {
        var topic = _kafka.CreateTopic(Partitions);
        var group = _kafka.NewGroup();
        var processor = new RecordingProcessor();
        var a = Start(Options(topic, group, o => o.LeaveGroupOnMaintenance = true), processor);
        (await StatsAsync(a)).InGroup.Should().BeFalse("a consumer that leaves in maintenance joins only when told to run");
        await ResumeAsync(a);
        _kafka.Produce(topic, 100, "before");
        await UntilAsync(() => processor.Processed.Count == 100);

        (await EnterAsync(a)).Outcome.Should().Be(DrainOutcome.Drained);
        processor.Forbidden = true;
        (await StatsAsync(a)).InGroup.Should().BeFalse("the drain closed the consumer");
        _kafka.Committed(group, topic, Partitions).Values.Sum().Should().Be(100, "closing committed what finished");
        _kafka.Produce(topic, 50, "during");

        processor.Forbidden = false;
        await ResumeAsync(a);
        await UntilAsync(() => processor.Processed.Count == 150);
        processor.StartedWhileForbidden.Should().Be(0);
        processor.Duplicates.Should().Be(0);
        (await StatsAsync(a)).InGroup.Should().BeTrue();
    }

    [Fact]
    public async Task Must_report_unreachable_brokers_as_unhealthy_with_the_reason_and_still_drain()
    {
        var nowhere = $"127.0.0.1:{FreePort.Get()}";
        var processor = new RecordingProcessor();
        var a = Start(Options("orders", _kafka.NewGroup(), o =>
        {
            o.BootstrapServers = nowhere;
            o.HealthCheckInterval = TimeSpan.FromMilliseconds(200);
        }), processor);
        await ResumeAsync(a);

        await UntilAsync(async () => (await a.Ask<ResourceHealth>(GetHealth.Instance, Wait)).Status == ComponentHealth.Unhealthy);
        var health = await a.Ask<ResourceHealth>(GetHealth.Instance, Wait);
        health.Detail.Should().StartWith($"cannot reach Kafka at {nowhere}: ");
        (await StatsAsync(a)).LastErrors.Should().NotBeEmpty();
        (await EnterAsync(a)).Outcome.Should().Be(DrainOutcome.Drained, "with nothing in flight there is nothing to wait for");
    }

    private static async Task<IActorRef?> CurrentChildAsync(IActorRef backoff) =>
        (await backoff.Ask<BackoffSupervisor.CurrentChild>(BackoffSupervisor.GetCurrentChild.Instance, Wait)).Ref is { } child && !child.IsNobody() ? child : null;

    /// <summary>
    /// Reads the topic with a plain consumer (no group) until it has seen <paramref name="count"/> records: the records were
    /// there to fetch, so a paused consumer that has none of them was really paused.
    /// </summary>
    private async Task ProvenFetchableAsync(string topic, int count)
    {
        using var reader = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _kafka.BootstrapServers, GroupId = "reader", EnableAutoCommit = false }).Build();
        reader.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var seen = 0;
        var deadline = DateTime.UtcNow + Wait;
        await Task.Run(() =>
        {
            while (seen < count && DateTime.UtcNow < deadline)
            {
                if (reader.Consume(100) is { IsPartitionEOF: false })
                {
                    seen++;
                }
            }
        });
        seen.Should().Be(count);
        reader.Close();
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
