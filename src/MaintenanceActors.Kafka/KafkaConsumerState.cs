using System.Collections.Concurrent;
using Confluent.Kafka;

namespace MaintenanceActors.Kafka;

/// <summary>
/// What outlives one consumer thread and one incarnation of the actor: counters, the last errors, the partition view the
/// consumer thread publishes, and the broker's last known problem. Written by the consumer thread and the processing tasks,
/// read from any thread.
/// </summary>
internal sealed class KafkaConsumerState(TimeProvider time)
{
    private const int KeptErrors = 10;
    private readonly Queue<KafkaConsumerError> _errors = new();
    private long _received;
    private long _processed;
    private long _failed;
    private long _rebalances;
    private long _commits;
    private long _commitErrors;
    private long _lastCommitTicks;
    private volatile string? _problem;
    private volatile PartitionView _partitions = PartitionView.Empty;
    private volatile RecordDispatcher? _dispatcher;
    private object? _member;

    public TimeProvider Time => time;
    public ConcurrentDictionary<string, long> Committed { get; } = new(StringComparer.Ordinal);

    public long Received => Interlocked.Read(ref _received);
    public long Processed => Interlocked.Read(ref _processed);
    public long Failed => Interlocked.Read(ref _failed);

    public string? Problem
    {
        get => _problem;
        set => _problem = value;
    }

    public RecordDispatcher? Dispatcher
    {
        get => _dispatcher;
        set => _dispatcher = value;
    }

    /// <summary>True while a consumer of this resource is subscribed (between <see cref="Joined"/> and its <see cref="Left"/>).</summary>
    public bool InGroup => Volatile.Read(ref _member) is not null;

    public void Joined(object member) => Volatile.Write(ref _member, member);

    // Only the member that joined last may say it left: an old consumer closing late must not hide the new one.
    public void Left(object member)
    {
        if (Interlocked.CompareExchange(ref _member, null, member) == member)
        {
            _partitions = PartitionView.Empty;
        }
    }

    public PartitionView Partitions
    {
        get => _partitions;
        set => _partitions = value;
    }

    public void AddReceived(int count) => Interlocked.Add(ref _received, count);
    public void AddProcessed(int count) => Interlocked.Add(ref _processed, count);
    public void AddFailed() => Interlocked.Increment(ref _failed);
    public void AddRebalance() => Interlocked.Increment(ref _rebalances);
    public void AddCommitError() => Interlocked.Increment(ref _commitErrors);

    public void RecordCommit(IEnumerable<TopicPartitionOffset> offsets)
    {
        foreach (var offset in offsets)
        {
            Committed[Name(offset.TopicPartition)] = offset.Offset.Value;
        }
        Interlocked.Increment(ref _commits);
        Interlocked.Exchange(ref _lastCommitTicks, time.GetUtcNow().UtcTicks);
    }

    public void RecordError(string operation, string message)
    {
        lock (_errors)
        {
            _errors.Enqueue(new KafkaConsumerError(time.GetUtcNow(), operation, message));
            while (_errors.Count > KeptErrors)
            {
                _errors.Dequeue();
            }
        }
    }

    public IReadOnlyList<KafkaConsumerError> LastErrors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToArray();
            }
        }
    }

    public static string Name(TopicPartition partition) => $"{partition.Topic}-{partition.Partition.Value}";

    public KafkaConsumerStatsSnapshot Snapshot(string resource)
    {
        var partitions = _partitions;
        var dispatcher = _dispatcher;
        return new KafkaConsumerStatsSnapshot(
            resource, Received, Processed, Failed, dispatcher?.InFlight ?? 0, dispatcher?.Buffered ?? 0, InGroup,
            partitions.Assigned, partitions.Paused, partitions.Lag,
            Interlocked.Read(ref _rebalances), Interlocked.Read(ref _commits), Interlocked.Read(ref _commitErrors),
            Interlocked.Read(ref _lastCommitTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null,
            new SortedDictionary<string, long>(Committed, StringComparer.Ordinal), LastErrors, _problem);
    }

    public IReadOnlyDictionary<string, long> ToCounters(long inFlight)
    {
        var partitions = _partitions;
        return new Dictionary<string, long>
        {
            ["received"] = Received,
            ["processed"] = Processed,
            ["failed"] = Failed,
            ["inFlight"] = inFlight,
            ["assignedPartitions"] = partitions.Assigned.Count,
            ["pausedPartitions"] = partitions.Paused.Count,
            ["lag"] = partitions.Lag.Values.Sum(),
            ["rebalances"] = Interlocked.Read(ref _rebalances),
            ["commits"] = Interlocked.Read(ref _commits),
            ["commitErrors"] = Interlocked.Read(ref _commitErrors),
        };
    }
}

/// <summary>The consumer thread's view of its partitions, replaced as a whole so readers never see half an update.</summary>
internal sealed record PartitionView(IReadOnlyList<string> Assigned, IReadOnlyList<string> Paused, IReadOnlyDictionary<string, long> Lag)
{
    public static readonly PartitionView Empty = new([], [], new Dictionary<string, long>());
}
