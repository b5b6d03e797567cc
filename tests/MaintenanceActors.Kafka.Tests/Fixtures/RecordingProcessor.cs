using System.Collections.Concurrent;
using Confluent.Kafka;

namespace MaintenanceActors.Kafka.Tests.Fixtures;

/// <summary>
/// Counts each (partition, offset) it processed, notices a record started while the spec believes the consumer is in
/// maintenance, and checks that each partition's records arrive in offset order (a repeat after a rebalance may go back).
/// </summary>
internal sealed class RecordingProcessor : IKafkaRecordProcessor
{
    private readonly ConcurrentDictionary<int, long> _lastOffset = new();
    private int _running;
    private int _startedWhileForbidden;
    private int _outOfOrder;
    private int _overlapping;
    private readonly ConcurrentDictionary<int, int> _runningPerPartition = new();

    public ConcurrentDictionary<(int Partition, long Offset), int> Processed { get; } = new();

    /// <summary>Work per record (default none).</summary>
    public Func<ConsumeResult<byte[], byte[]>, CancellationToken, Task> Work { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>When set, a record starting counts as a violation.</summary>
    public volatile bool Forbidden;

    public int Running => Volatile.Read(ref _running);
    public int StartedWhileForbidden => Volatile.Read(ref _startedWhileForbidden);
    public int OutOfOrder => Volatile.Read(ref _outOfOrder);
    public int Overlapping => Volatile.Read(ref _overlapping);
    public int Duplicates => Processed.Values.Sum(n => n - 1);

    public TaskCompletionSource<ConsumeResult<byte[], byte[]>> FirstStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task ProcessAsync(ConsumeResult<byte[], byte[]> record, CancellationToken cancellationToken)
    {
        if (Forbidden)
        {
            Interlocked.Increment(ref _startedWhileForbidden);
        }
        var partition = record.Partition.Value;
        if (_runningPerPartition.AddOrUpdate(partition, 1, (_, n) => n + 1) > 1)
        {
            Interlocked.Increment(ref _overlapping);
        }
        var previous = _lastOffset.GetValueOrDefault(partition, -1);
        if (record.Offset.Value > previous + 1)
        {
            Interlocked.Increment(ref _outOfOrder); // skipped ahead past an offset never processed
        }
        _lastOffset[partition] = record.Offset.Value;
        Interlocked.Increment(ref _running);
        try
        {
            FirstStarted.TrySetResult(record);
            await Work(record, cancellationToken);
            Processed.AddOrUpdate((partition, record.Offset.Value), 1, (_, n) => n + 1);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            _runningPerPartition.AddOrUpdate(partition, 0, (_, n) => n - 1);
        }
    }
}
