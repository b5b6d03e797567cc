namespace MaintenanceActors.Sqs;

/// <summary>One failure the poller met, with when it happened.</summary>
public sealed record SqsPollerError(DateTimeOffset At, string Operation, string Message);

/// <summary>Counters of one poller, written by its poll tasks and read from any thread.</summary>
internal sealed class SqsPollerStats(TimeProvider time)
{
    private const int KeptErrors = 10;
    private readonly Queue<SqsPollerError> _errors = new();
    private long _received;
    private long _processed;
    private long _failed;
    private long _released;
    private long _extensions;
    private long _receiveErrors;
    private long _receivesWaiting;
    private long _lastMessageTicks;

    public long Received => Interlocked.Read(ref _received);
    public long Processed => Interlocked.Read(ref _processed);
    public long Failed => Interlocked.Read(ref _failed);
    public long Released => Interlocked.Read(ref _released);
    public long VisibilityExtensions => Interlocked.Read(ref _extensions);
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);
    public long ReceivesWaiting => Interlocked.Read(ref _receivesWaiting);

    public DateTimeOffset? LastMessageAt =>
        Interlocked.Read(ref _lastMessageTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public void AddReceived(int count)
    {
        Interlocked.Add(ref _received, count);
        Interlocked.Exchange(ref _lastMessageTicks, time.GetUtcNow().UtcTicks);
    }

    public void AddProcessed(int count) => Interlocked.Add(ref _processed, count);
    public void AddFailed(int count) => Interlocked.Add(ref _failed, count);
    public void AddReleased(int count) => Interlocked.Add(ref _released, count);
    public void AddExtensions(int count) => Interlocked.Add(ref _extensions, count);
    public void AddReceiveError() => Interlocked.Increment(ref _receiveErrors);
    public void ReceiveStarted() => Interlocked.Increment(ref _receivesWaiting);
    public void ReceiveEnded() => Interlocked.Decrement(ref _receivesWaiting);

    public void RecordError(string operation, Exception error)
    {
        lock (_errors)
        {
            _errors.Enqueue(new SqsPollerError(time.GetUtcNow(), operation, error.Message));
            while (_errors.Count > KeptErrors)
            {
                _errors.Dequeue();
            }
        }
    }

    /// <summary>The last ten errors, oldest first.</summary>
    public IReadOnlyList<SqsPollerError> LastErrors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToArray();
            }
        }
    }

    public IReadOnlyDictionary<string, long> ToCounters(long inFlight) => new Dictionary<string, long>
    {
        ["received"] = Received,
        ["processed"] = Processed,
        ["failed"] = Failed,
        ["released"] = Released,
        ["inFlight"] = inFlight,
        ["visibilityExtensions"] = VisibilityExtensions,
        ["receiveErrors"] = ReceiveErrors,
    };
}
