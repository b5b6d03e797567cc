using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Confluent.Kafka;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Kafka;
using MaintenanceActors.Kafka.Testing;

namespace MaintenanceActors.Drills.Kafka;

/// <summary>What the Kafka drills share: one mock cluster in this process, an actor system, and consumers driven by Enter/Exit.</summary>
internal sealed class KafkaRig : IAsyncDisposable
{
    public const int Partitions = 4;
    private readonly DrillSystem _system = DrillSystem.Create("kafka-drill");
    private long _epoch;
    private int _actors;

    public KafkaMockCluster Cluster { get; } = new();

    public static KafkaConsumerOptions Options(KafkaMockCluster cluster, string topic, string group) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        Topics = [topic],
        GroupId = group,
        MaxConcurrency = Partitions,
        ConfigureConsumer = c =>
        {
            c.SessionTimeoutMs = 3000;
            c.HeartbeatIntervalMs = 300;
        },
    };

    public (IActorRef Actor, KafkaConsumerState State) Start(KafkaConsumerOptions options, IKafkaRecordProcessor processor)
    {
        var state = new KafkaConsumerState(TimeProvider.System);
        var actor = _system.System.ActorOf(Props.Create(() => new KafkaConsumerActor(options, processor, state)), $"kafka-{++_actors}");
        return (actor, state);
    }

    public async Task ResumeAsync(IActorRef actor) =>
        await actor.Ask<ResumeCompleted>(new ExitMaintenance(Interlocked.Increment(ref _epoch)), DrillSettings.EventTimeout).ConfigureAwait(false);

    /// <summary>Sends Enter without waiting for the drain's answer.</summary>
    public Task<DrainCompleted> EnterAsync(IActorRef actor) =>
        actor.Ask<DrainCompleted>(new EnterMaintenance(Interlocked.Increment(ref _epoch), DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20)), DrillSettings.EventTimeout);

    public static async Task UntilAsync(Func<bool> condition, TimeSpan within, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > within)
            {
                throw new TimeoutException($"Timed out after {within} waiting for {what}");
            }
            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _system.DisposeAsync().ConfigureAwait(false);
        Cluster.Dispose();
    }
}

/// <summary>A processor that does nothing but count and remember (partition, offset) pairs when asked.</summary>
internal sealed class CountingProcessor(bool remember) : IKafkaRecordProcessor
{
    private long _count;
    private long _firstAt;
    private long _lastAt;

    public ConcurrentDictionary<(int, long), int> Seen { get; } = new();
    public long Count => Interlocked.Read(ref _count);
    public double Seconds => (Interlocked.Read(ref _lastAt) - Interlocked.Read(ref _firstAt)) / (double)Stopwatch.Frequency;

    /// <summary>Optional work per record.</summary>
    public Func<Task>? Work { get; init; }

    public Task ProcessAsync(ConsumeResult<byte[], byte[]> record, CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _firstAt, now, 0);
        if (remember)
        {
            Seen.AddOrUpdate((record.Partition.Value, record.Offset.Value), 1, (_, n) => n + 1);
        }
        Interlocked.Exchange(ref _lastAt, now);
        Interlocked.Increment(ref _count);
        return Work?.Invoke() ?? Task.CompletedTask;
    }
}
