using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Kafka;

/// <summary>
/// Hands consumed records to the processor: one lane per assigned partition, records of a lane one at a time in offset
/// order, lanes concurrently up to a limit. A lane remembers the offset after its last finished record, so the offset
/// committed for a partition never passes a record that has not finished. Intake closed means no record starts (those
/// fetched wait in their lane); a revoked lane starts nothing more and drops what it holds (the next owner fetches it
/// again from the committed offset). Thread-safe: the consumer thread adds and revokes, processing tasks finish records.
/// </summary>
internal sealed class RecordDispatcher
{
    private readonly object _gate = new();
    private readonly Dictionary<TopicPartition, Lane> _lanes = new();
    private readonly SemaphoreSlim _slots;
    private readonly IKafkaRecordProcessor _processor;
    private readonly KafkaConsumerState _state;
    private readonly ILogger _log;
    private readonly int _maxBuffered;
    private readonly CancellationToken _shutdown;
    private readonly List<TaskCompletionSource> _idleWaiters = new();
    private bool _intakeOpen;
    private long _inFlight;
    private long _buffered;
    private int _revokeWaiting; // Revoke calls waiting on _gate for records in the processor; only then does Finish pulse

    public RecordDispatcher(IKafkaRecordProcessor processor, int maxConcurrency, int maxBuffered, KafkaConsumerState state, ILogger log, CancellationToken shutdown)
    {
        _processor = processor;
        _slots = new SemaphoreSlim(maxConcurrency, maxConcurrency);
        _maxBuffered = maxBuffered;
        _state = state;
        _log = log;
        _shutdown = shutdown;
    }

    /// <summary>Records in the processor now.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Records fetched and not started yet.</summary>
    public long Buffered => Interlocked.Read(ref _buffered);

    /// <summary>Set by a lane that fell back below half its buffer; the consumer thread then resumes it (if not in maintenance).</summary>
    public volatile bool FlowChanged;

    public bool IntakeOpen
    {
        get
        {
            lock (_gate)
            {
                return _intakeOpen;
            }
        }
    }

    /// <summary>Lets lanes start records (again).</summary>
    public void Open()
    {
        lock (_gate)
        {
            _intakeOpen = true;
            foreach (var lane in _lanes.Values)
            {
                StartIfReady(lane);
            }
        }
    }

    /// <summary>No record starts from now on; records in the processor finish.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _intakeOpen = false;
        }
    }

    /// <summary>Completes when no record is in the processor.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_inFlight == 0)
            {
                return Task.CompletedTask;
            }
            var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _idleWaiters.Add(idle);
            return idle.Task.WaitAsync(cancellationToken);
        }
    }

    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                if (!_lanes.ContainsKey(partition))
                {
                    _lanes[partition] = new Lane(partition);
                }
            }
        }
    }

    /// <summary>Adds a consumed record to its lane; true when the lane is now full and its partition should be paused.</summary>
    public bool Add(ConsumeResult<byte[], byte[]> record)
    {
        lock (_gate)
        {
            if (!_lanes.TryGetValue(record.TopicPartition, out var lane))
            {
                // Not (or no longer) ours: processing it would only duplicate the owner's work, and its offset cannot be committed.
                return false;
            }
            lane.Pending.Enqueue(record);
            Interlocked.Increment(ref _buffered);
            StartIfReady(lane);
            if (lane.Pending.Count >= _maxBuffered && !lane.Full)
            {
                lane.Full = true;
                return true;
            }
            return false;
        }
    }

    /// <summary>
    /// Adds consumed records (in the order consumed) to their lanes under one lock, then starts the lanes that have work:
    /// one hand-off per batch instead of one per record. True when a lane is now full and its partition should be paused.
    /// </summary>
    public bool AddRange(List<ConsumeResult<byte[], byte[]>> records)
    {
        var anyFull = false;
        var added = 0;
        lock (_gate)
        {
            Lane? last = null;
            TopicPartition? lastPartition = null;
            foreach (var record in records)
            {
                if (last is null || record.Partition != lastPartition!.Partition || !string.Equals(record.Topic, lastPartition.Topic, StringComparison.Ordinal))
                {
                    lastPartition = record.TopicPartition;
                    last = _lanes.GetValueOrDefault(lastPartition);
                    if (last is null)
                    {
                        // Not (or no longer) ours: processing it would only duplicate the owner's work, and its offset cannot be committed.
                        lastPartition = null;
                        continue;
                    }
                }
                last.Pending.Enqueue(record);
                added++;
                if (last.Pending.Count >= _maxBuffered && !last.Full)
                {
                    last.Full = true;
                    anyFull = true;
                }
            }
            Interlocked.Add(ref _buffered, added);
            foreach (var lane in _lanes.Values)
            {
                StartIfReady(lane);
            }
        }
        return anyFull;
    }

    /// <summary>Partitions whose lane holds too many records to take more.</summary>
    public HashSet<TopicPartition> FullPartitions()
    {
        lock (_gate)
        {
            return _lanes.Values.Where(l => l.Full).Select(l => l.Partition).ToHashSet();
        }
    }

    /// <summary>
    /// Stops the lanes of <paramref name="partitions"/>, waits up to <paramref name="timeout"/> for their records in the
    /// processor, removes them and returns the offsets to commit for them (the records that finished).
    /// </summary>
    public List<TopicPartitionOffset> Revoke(IEnumerable<TopicPartition> partitions, TimeSpan timeout)
    {
        var deadline = _state.Time.GetTimestamp();
        lock (_gate)
        {
            var lanes = partitions.Select(p => _lanes.GetValueOrDefault(p)).OfType<Lane>().ToList();
            foreach (var lane in lanes)
            {
                lane.Revoked = true;
                Interlocked.Add(ref _buffered, -lane.Pending.Count);
                lane.Pending.Clear();
            }
            while (lanes.Any(l => l.Current is not null))
            {
                var left = timeout - _state.Time.GetElapsedTime(deadline);
                if (left <= TimeSpan.Zero)
                {
                    _log.LogWarning("Records of revoked partitions still in the processor after {Timeout}; they will be delivered again to the next owner: {Partitions}",
                        timeout, string.Join(", ", lanes.Where(l => l.Current is not null).Select(l => l.Current!.TopicPartitionOffset.ToString())));
                    break;
                }
                _revokeWaiting++;
                try
                {
                    Monitor.Wait(_gate, left);
                }
                finally
                {
                    _revokeWaiting--;
                }
            }
            foreach (var lane in lanes)
            {
                _lanes.Remove(lane.Partition);
            }
            return lanes.Where(l => l.Finished >= 0 && l.Finished > l.Committed)
                .Select(l => new TopicPartitionOffset(l.Partition, l.Finished)).ToList();
        }
    }

    /// <summary>Drops the lanes of lost partitions at once: their offsets can no longer be committed.</summary>
    public void Lose(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                if (_lanes.Remove(partition, out var lane))
                {
                    lane.Revoked = true;
                    Interlocked.Add(ref _buffered, -lane.Pending.Count);
                    lane.Pending.Clear();
                }
            }
        }
    }

    /// <summary>Offsets finished since the last commit, one per partition (the offset after the last finished record).</summary>
    public List<TopicPartitionOffset> Uncommitted()
    {
        lock (_gate)
        {
            return _lanes.Values.Where(l => l.Finished >= 0 && l.Finished > l.Committed)
                .Select(l => new TopicPartitionOffset(l.Partition, l.Finished)).ToList();
        }
    }

    public void MarkCommitted(IEnumerable<TopicPartitionOffset> offsets)
    {
        lock (_gate)
        {
            foreach (var offset in offsets)
            {
                if (_lanes.TryGetValue(offset.TopicPartition, out var lane))
                {
                    lane.Committed = Math.Max(lane.Committed, offset.Offset.Value);
                }
            }
        }
    }

    /// <summary>The next offset to process per partition, where known (for lag).</summary>
    public Dictionary<TopicPartition, long> NextOffsets()
    {
        lock (_gate)
        {
            return _lanes.Values.Select(l => (l.Partition, Next: l.Pending.TryPeek(out var head) ? head.Offset.Value : l.Current?.Offset.Value ?? l.Finished))
                .Where(x => x.Next >= 0).ToDictionary(x => x.Partition, x => x.Next);
        }
    }

    private void StartIfReady(Lane lane)
    {
        if (!lane.Running && _intakeOpen && !lane.Revoked && lane.Pending.Count > 0)
        {
            lane.Running = true;
            _ = Task.Run(() => RunLaneAsync(lane));
        }
    }

    // A lane keeps its slot for up to this many records in a row, then queues for it again so other lanes get a turn.
    private const int RecordsPerTurn = 64;

    private async Task RunLaneAsync(Lane lane)
    {
        while (true)
        {
            try
            {
                await _slots.WaitAsync(_shutdown).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                StopLane(lane);
                return;
            }
            ConsumeResult<byte[], byte[]>? record;
            lock (_gate)
            {
                record = StartNext(lane);
                if (record is null)
                {
                    lane.Running = false;
                    _slots.Release();
                    return;
                }
            }
            for (var turn = 1; ; turn++)
            {
                var finished = await ProcessAsync(lane, record).ConfigureAwait(false);
                lock (_gate)
                {
                    Finish(lane, record, finished);
                    record = finished && turn < RecordsPerTurn ? StartNext(lane) : null;
                    if (record is null && (!finished || turn < RecordsPerTurn))
                    {
                        // Nothing more to start (intake closed, revoked, empty) or cut short by shutdown: the lane stops.
                        lane.Running = false;
                        _slots.Release();
                        return;
                    }
                }
                if (record is null)
                {
                    break; // end of this turn: give the slot back and queue for it again
                }
            }
            _slots.Release();
        }
    }

    // Under _gate. Counted here, under the lock Close takes: a drain that sees zero cannot miss a record about to start.
    private ConsumeResult<byte[], byte[]>? StartNext(Lane lane)
    {
        if (!_intakeOpen || lane.Revoked || !lane.Pending.TryDequeue(out var record))
        {
            return null;
        }
        _inFlight++;
        lane.Current = record;
        // Every write of _buffered is under _gate; readers outside it use Interlocked.Read.
        _buffered--;
        if (lane.Full && lane.Pending.Count <= _maxBuffered / 2)
        {
            lane.Full = false;
            FlowChanged = true;
        }
        return record;
    }

    // Under _gate.
    private void Finish(Lane lane, ConsumeResult<byte[], byte[]> record, bool finished)
    {
        _inFlight--;
        // The processed counter is shared by all lanes: add to it per run of records, not per record. Reported before the
        // lane can stop and before idle waiters hear of it, so a drain that completes sees every record it waited for counted.
        if (lane.Unreported >= ReportEvery || _inFlight == 0 || !_intakeOpen || lane.Revoked || lane.Pending.Count == 0)
        {
            ReportProcessed(lane);
        }
        lane.Current = null;
        if (finished)
        {
            lane.Finished = record.Offset.Value + 1;
        }
        if (_inFlight == 0)
        {
            foreach (var waiter in _idleWaiters)
            {
                waiter.TrySetResult();
            }
            _idleWaiters.Clear();
        }
        if (_revokeWaiting > 0)
        {
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Runs the processor on one record; false when shutdown cut it short (then it is not finished).</summary>
    private async Task<bool> ProcessAsync(Lane lane, ConsumeResult<byte[], byte[]> record)
    {
        try
        {
            await _processor.ProcessAsync(record, _shutdown).ConfigureAwait(false);
            lane.Unreported++; // only the lane's one running task touches it; reported under _gate in Finish
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
            return false; // not processed: not committed, delivered again
        }
        catch (Exception ex)
        {
            _state.AddFailed();
            _state.RecordError("process", $"{record.TopicPartitionOffset}: {ex.Message}");
            _log.LogWarning(ex, "Processing Kafka record {Record} failed; the partition moves on", record.TopicPartitionOffset.ToString());
        }
        return true;
    }

    private const int ReportEvery = 64;

    private void ReportProcessed(Lane lane)
    {
        if (lane.Unreported > 0)
        {
            _state.AddProcessed(lane.Unreported);
            lane.Unreported = 0;
        }
    }

    private void StopLane(Lane lane)
    {
        lock (_gate)
        {
            ReportProcessed(lane);
            lane.Running = false;
        }
    }

    private sealed class Lane(TopicPartition partition)
    {
        public TopicPartition Partition { get; } = partition;
        public Queue<ConsumeResult<byte[], byte[]>> Pending { get; } = new();
        public ConsumeResult<byte[], byte[]>? Current { get; set; }
        public bool Running { get; set; }
        public bool Revoked { get; set; }
        public bool Full { get; set; }
        public long Finished { get; set; } = -1;
        public long Committed { get; set; } = -1;
        public int Unreported { get; set; }
    }
}
