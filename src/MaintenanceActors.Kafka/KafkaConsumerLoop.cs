using System.Collections.Concurrent;
using Akka.Actor;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Kafka;

/// <summary>
/// One consumer's life on a dedicated thread (Consume blocks): subscribe, poll, hand records to the dispatcher, keep every
/// assigned partition paused or running as intended, commit finished offsets on a timer and on revoke, and finally
/// commit and close (leaving the group). Everything that touches the consumer runs on this thread; others send commands.
/// </summary>
/// <remarks>
/// librdkafka keeps a partition's pause state only while the partition stays with this consumer: one that arrives from
/// another member after a rebalance is not paused, and pausing inside the assigned handler throws (not assigned yet). So
/// after every Consume that changed the assignment, the intended state is applied again to the whole assignment, before
/// the next record is read; and a record that was fetched in between only reaches the lane, where intake decides.
/// </remarks>
internal sealed class KafkaConsumerLoop
{
    private readonly KafkaConsumerOptions _options;
    private readonly RecordDispatcher _dispatcher;
    private readonly KafkaConsumerState _state;
    private readonly ILogger _log;
    private readonly IActorRef _owner;
    private readonly ConcurrentQueue<Action<IConsumer<byte[], byte[]>>> _commands = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private volatile bool _stop;
    private bool _paused = true; // intended: starts paused until told to run
    private bool _assignmentChanged;
    private HashSet<TopicPartition> _pausedNow = new();
    private long _nextCommit;
    private long _nextHealth;
    private readonly Dictionary<TopicPartition, long> _queriedHigh = new();
    private readonly Dictionary<TopicPartition, long> _queriedLow = new();
    // Records consumed and not yet handed to their lanes: handing over in batches costs one lock and one lane wake-up per
    // batch rather than per record. Never larger than a lane's buffer, so pausing a full lane stays prompt.
    private readonly List<ConsumeResult<byte[], byte[]>> _batch = new();
    private readonly int _batchSize;
    private const int MaxBatch = 512;

    public KafkaConsumerLoop(KafkaConsumerOptions options, RecordDispatcher dispatcher, KafkaConsumerState state, ILogger log, IActorRef owner, bool paused)
    {
        _options = options;
        _dispatcher = dispatcher;
        _state = state;
        _log = log;
        _owner = owner;
        _paused = paused;
        _batchSize = Math.Clamp(options.MaxBufferedPerPartition / 2, 1, MaxBatch);
        _thread = new Thread(Run) { IsBackground = true, Name = $"kafka-{options.ResourceName}" };
    }

    /// <summary>Completes when the consumer is closed and its thread ended.</summary>
    public Task Stopped => _stopped.Task;

    public void Start() => _thread.Start();

    /// <summary>True once the loop was told to stop (or failed): it will not take records again.</summary>
    public bool StopRequested => _stop || _stopped.Task.IsCompleted;

    /// <summary>Pause (true) or resume (false) every assigned partition, now and after every rebalance.</summary>
    public void SetPaused(bool paused) => _commands.Enqueue(_ =>
    {
        _paused = paused;
        ApplyPauseState();
    });

    /// <summary>Commits every finished offset synchronously on the consumer thread; faults if the broker refuses.</summary>
    public Task CommitAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _commands.Enqueue(consumer =>
        {
            try
            {
                Commit(consumer, _dispatcher.Uncommitted());
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        });
        return done.Task;
    }

    /// <summary>Ends the loop: commits what finished, closes the consumer (leaving the group) and ends the thread.</summary>
    public Task StopAsync()
    {
        _stop = true;
        return Stopped;
    }

    /// <summary>Makes the consumer thread fail as if the client had thrown (a way to test recovery).</summary>
    internal void Crash(Exception error) => _commands.Enqueue(_ => throw error);

    private IConsumer<byte[], byte[]>? _consumer;

    private void Run()
    {
        try
        {
            _consumer = new ConsumerBuilder<byte[], byte[]>(_options.ToConsumerConfig())
                .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
                .SetPartitionsRevokedHandler((consumer, partitions) => OnRevoked(consumer, partitions))
                .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
                .SetErrorHandler((_, error) => OnError(error))
                .Build();
            _consumer.Subscribe(_options.Topics);
            _state.Joined(this);
            Loop(_consumer);
            Close(_consumer);
            _stopped.TrySetResult();
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "The consumer thread of {Resource} failed", _options.ResourceName);
            _owner.Tell(new ConsumerLoopFailed(this, ex));
            if (_consumer is not null)
            {
                try
                {
                    Close(_consumer);
                }
                catch (Exception closeError)
                {
                    _log.LogWarning(closeError, "Closing the consumer of {Resource} after its failure failed too", _options.ResourceName);
                }
            }
            _stopped.TrySetException(ex);
        }
        finally
        {
            _state.Left(this);
            _consumer?.Dispose();
        }
    }

    private void Loop(IConsumer<byte[], byte[]> consumer)
    {
        var poll = _options.PollTimeout;
        _nextCommit = _state.Time.GetTimestamp();
        _nextHealth = _nextCommit;
        while (!_stop)
        {
            if (!_commands.IsEmpty)
            {
                FlushBatch();
            }
            while (_commands.TryDequeue(out var command))
            {
                command(consumer);
            }
            ConsumeResult<byte[], byte[]>? record = null;
            try
            {
                // While a batch is being gathered, take only what librdkafka already holds; wait only with nothing in hand.
                record = consumer.Consume(_batch.Count > 0 ? TimeSpan.Zero : poll);
            }
            catch (ConsumeException ex)
            {
                _state.RecordError("consume", ex.Error.Reason);
                _log.LogWarning("Kafka consume error on {Resource}: {Code} {Reason}", _options.ResourceName, ex.Error.Code, ex.Error.Reason);
            }
            if (_assignmentChanged)
            {
                // Right after the Consume in which the assignment changed: the partitions are assigned now, so Pause works.
                _assignmentChanged = false;
                ApplyPauseState(all: true);
            }
            if (record is { IsPartitionEOF: false })
            {
                if (_state.Problem is not null)
                {
                    SetProblem(null);
                }
                _batch.Add(record);
            }
            if (_batch.Count > 0 && (record is null || record.IsPartitionEOF || _batch.Count >= _batchSize))
            {
                FlushBatch();
            }
            if (_dispatcher.FlowChanged)
            {
                _dispatcher.FlowChanged = false;
                ApplyPauseState();
            }
            var now = _state.Time.GetTimestamp();
            if (now >= _nextCommit)
            {
                _nextCommit = now + Ticks(_options.CommitInterval);
                TryCommit(consumer, _dispatcher.Uncommitted());
                PublishPartitions(consumer);
            }
            if (now >= _nextHealth)
            {
                CheckBroker(consumer);
                // From the end of the check: a slow broker must not turn the loop into a loop of checks.
                _nextHealth = _state.Time.GetTimestamp() + Ticks(_options.HealthCheckInterval);
            }
        }
    }

    /// <summary>
    /// Hands the records gathered since the last hand-off to their lanes. Runs when librdkafka has nothing more at hand,
    /// when the batch is full, and before anything that changes lanes (revoke, loss, close), so a record never reaches a
    /// lane of a later assignment.
    /// </summary>
    private void FlushBatch()
    {
        if (HandBatch())
        {
            ApplyPauseState();
        }
    }

    /// <summary>The hand-off without pausing (for the rebalance handlers, where Pause must not be called); true when a lane filled up.</summary>
    private bool HandBatch()
    {
        if (_batch.Count == 0)
        {
            return false;
        }
        _state.AddReceived(_batch.Count);
        var full = _dispatcher.AddRange(_batch);
        _batch.Clear();
        return full;
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _state.Time.TimestampFrequency);

    private void Close(IConsumer<byte[], byte[]> consumer)
    {
        HandBatch();
        TryCommit(consumer, _dispatcher.Uncommitted());
        // Close leaves the group; the revoked handler runs inside it and commits what finished meanwhile.
        consumer.Close();
        _state.Left(this);
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        _state.AddRebalance();
        _dispatcher.Assign(partitions);
        _assignmentChanged = true;
        _log.LogInformation("Kafka consumer {Resource} was assigned {Partitions} (paused: {Paused})",
            _options.ResourceName, string.Join(",", partitions.Select(KafkaConsumerState.Name)), _paused);
    }

    private void OnRevoked(IConsumer<byte[], byte[]> consumer, List<TopicPartitionOffset> partitions)
    {
        _state.AddRebalance();
        HandBatch(); // to the lanes about to be revoked, which drop them; pause is applied again after this Consume
        var revoked = partitions.Select(p => p.TopicPartition).ToList();
        var finished = _dispatcher.Revoke(revoked, _options.RevokeTimeout);
        TryCommit(consumer, finished);
        foreach (var partition in revoked)
        {
            _pausedNow.Remove(partition);
        }
        _assignmentChanged = true;
        _log.LogInformation("Kafka consumer {Resource} gave up {Partitions}, committed {Offsets}",
            _options.ResourceName, string.Join(",", revoked.Select(KafkaConsumerState.Name)), string.Join(",", finished.Select(o => $"{KafkaConsumerState.Name(o.TopicPartition)}@{o.Offset.Value}")));
    }

    private void OnLost(List<TopicPartitionOffset> partitions)
    {
        _state.AddRebalance();
        HandBatch(); // to the lanes about to be dropped; pause is applied again after this Consume
        var lost = partitions.Select(p => p.TopicPartition).ToList();
        _dispatcher.Lose(lost);
        foreach (var partition in lost)
        {
            _pausedNow.Remove(partition);
        }
        _assignmentChanged = true;
        _log.LogWarning("Kafka consumer {Resource} lost {Partitions} (session expired): their records in progress will be delivered again",
            _options.ResourceName, string.Join(",", lost.Select(KafkaConsumerState.Name)));
    }

    private void OnError(Error error)
    {
        _state.RecordError(error.IsFatal ? "fatal" : "client", $"{error.Code}: {error.Reason}");
        _log.LogWarning("Kafka client error on {Resource}: {Code} {Reason}", _options.ResourceName, error.Code, error.Reason);
        if (error.IsFatal)
        {
            SetProblem($"fatal Kafka error {error.Code}: {error.Reason}");
        }
        else if (error.Code is ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Authentication)
        {
            SetProblem($"cannot reach Kafka at {_options.BootstrapServers}: {error.Reason}");
        }
    }

    private void SetProblem(string? problem)
    {
        if (_state.Problem != problem)
        {
            _state.Problem = problem;
            _owner.Tell(ConsumerHealthChanged.Instance);
        }
    }

    /// <summary>
    /// Pauses what should not be fetched (all in maintenance; full lanes otherwise) and resumes the rest. With
    /// <paramref name="all"/> (after a rebalance) every partition is told, since librdkafka's own state cannot be trusted.
    /// </summary>
    private void ApplyPauseState(bool all = false)
    {
        var consumer = _consumer!;
        var assigned = consumer.Assignment;
        var full = _paused ? null : _dispatcher.FullPartitions();
        var pause = assigned.Where(p => _paused || full!.Contains(p)).ToList();
        var resume = assigned.Where(p => !_paused && !full!.Contains(p)).ToList();
        var toPause = all ? pause : pause.Where(p => !_pausedNow.Contains(p)).ToList();
        var toResume = all ? resume : resume.Where(_pausedNow.Contains).ToList();
        if (toPause.Count > 0)
        {
            consumer.Pause(toPause);
        }
        if (toResume.Count > 0)
        {
            consumer.Resume(toResume);
        }
        _pausedNow = pause.ToHashSet();
        PublishPartitions(consumer, assigned);
    }

    private void PublishPartitions(IConsumer<byte[], byte[]> consumer, List<TopicPartition>? assigned = null)
    {
        assigned ??= consumer.Assignment;
        var next = _dispatcher.NextOffsets();
        var lag = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var partition in assigned)
        {
            // The cached watermark moves only with fetches (not while paused); the health tick's broker query fills the gap.
            var cached = consumer.GetWatermarkOffsets(partition).High;
            var high = Math.Max(cached == Offset.Unset ? -1 : cached.Value, _queriedHigh.GetValueOrDefault(partition, -1));
            if (high < 0)
            {
                continue;
            }
            // Where the next record comes from: the lane, else the committed offset, else where auto.offset.reset starts.
            var from = next.TryGetValue(partition, out var n) ? n
                : _state.Committed.TryGetValue(KafkaConsumerState.Name(partition), out var c) ? c
                : _queriedLow.TryGetValue(partition, out var low) ? (_options.AutoOffsetReset == AutoOffsetReset.Earliest ? low : high)
                : -1;
            if (from >= 0)
            {
                lag[KafkaConsumerState.Name(partition)] = Math.Max(0, high - from);
            }
        }
        _state.Partitions = new PartitionView(
            assigned.Select(KafkaConsumerState.Name).Order(StringComparer.Ordinal).ToArray(),
            assigned.Where(_pausedNow.Contains).Select(KafkaConsumerState.Name).Order(StringComparer.Ordinal).ToArray(),
            lag);
    }

    private void Commit(IConsumer<byte[], byte[]> consumer, List<TopicPartitionOffset> offsets)
    {
        if (offsets.Count == 0)
        {
            return;
        }
        consumer.Commit(offsets);
        _dispatcher.MarkCommitted(offsets);
        _state.RecordCommit(offsets);
    }

    private void TryCommit(IConsumer<byte[], byte[]> consumer, List<TopicPartitionOffset> offsets)
    {
        try
        {
            Commit(consumer, offsets);
        }
        catch (KafkaException ex)
        {
            // E.g. REBALANCE_IN_PROGRESS: the offsets stay uncommitted and go with the next commit.
            _state.AddCommitError();
            _state.RecordError("commit", $"{ex.Error.Code}: {ex.Error.Reason}");
            _log.LogDebug("Commit on {Resource} refused: {Code} {Reason}", _options.ResourceName, ex.Error.Code, ex.Error.Reason);
        }
    }

    private void CheckBroker(IConsumer<byte[], byte[]> consumer)
    {
        try
        {
            using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
            var metadata = admin.GetMetadata(_options.Topics[0], TimeSpan.FromSeconds(2));
            var topic = metadata.Topics.FirstOrDefault();
            SetProblem(topic is { Error.IsError: true } ? $"topic {topic.Topic}: {topic.Error.Reason}" : null);
            // Paused partitions are not fetched, so their cached high watermark stands still: ask the broker.
            foreach (var partition in _pausedNow)
            {
                var watermarks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(1));
                _queriedHigh[partition] = watermarks.High.Value;
                _queriedLow[partition] = watermarks.Low.Value;
            }
            // A partition this consumer has not committed yet (e.g. it came from another member): the group's offset is where it starts.
            var unknown = _pausedNow.Where(p => !_state.Committed.ContainsKey(KafkaConsumerState.Name(p))).ToList();
            if (unknown.Count > 0)
            {
                foreach (var offset in consumer.Committed(unknown, TimeSpan.FromSeconds(1)).Where(o => o.Offset.Value >= 0))
                {
                    _state.Committed.TryAdd(KafkaConsumerState.Name(offset.TopicPartition), offset.Offset.Value);
                }
            }
            PublishPartitions(consumer);
        }
        catch (KafkaException ex)
        {
            _state.RecordError("health", $"{ex.Error.Code}: {ex.Error.Reason}");
            SetProblem($"cannot reach Kafka at {_options.BootstrapServers}: {ex.Error.Reason}");
        }
    }
}

/// <summary>The consumer thread to its actor: it failed and closed its consumer; the actor restarts.</summary>
internal sealed record ConsumerLoopFailed(KafkaConsumerLoop Loop, Exception Error);

/// <summary>The consumer thread to its actor: the broker problem changed, report health.</summary>
internal sealed class ConsumerHealthChanged
{
    public static readonly ConsumerHealthChanged Instance = new();
}
