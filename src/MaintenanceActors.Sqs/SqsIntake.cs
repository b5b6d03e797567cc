namespace MaintenanceActors.Sqs;

/// <summary>
/// Counts messages being processed and refuses new ones once closed. A batch is counted before it checks the closed flag
/// (both with full fences), so a drain that closes and then sees zero can never miss a batch that got in.
/// </summary>
internal sealed class SqsIntake
{
    private readonly object _lock = new();
    private long _inFlight;
    private int _closed = 1; // closed until the supervisor says the poller may run
    private TaskCompletionSource _idle = NewIdle();

    public long InFlight => Interlocked.Read(ref _inFlight);

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    public Task WhenIdle
    {
        get
        {
            lock (_lock)
            {
                return _idle.Task;
            }
        }
    }

    public bool TryEnter(int count)
    {
        Interlocked.Add(ref _inFlight, count);
        if (Volatile.Read(ref _closed) == 0)
        {
            return true;
        }
        Exit(count);
        return false;
    }

    public void Exit(int count)
    {
        if (Interlocked.Add(ref _inFlight, -count) == 0 && Volatile.Read(ref _closed) == 1)
        {
            SignalIdle();
        }
    }

    public void Close()
    {
        lock (_lock)
        {
            if (_idle.Task.IsCompleted && Volatile.Read(ref _closed) == 0)
            {
                _idle = NewIdle();
            }
        }
        Interlocked.Exchange(ref _closed, 1);
        if (InFlight == 0)
        {
            SignalIdle();
        }
    }

    public void Open()
    {
        lock (_lock)
        {
            if (_idle.Task.IsCompleted)
            {
                _idle = NewIdle();
            }
        }
        Interlocked.Exchange(ref _closed, 0);
    }

    private void SignalIdle()
    {
        lock (_lock)
        {
            _idle.TrySetResult();
        }
    }

    private static TaskCompletionSource NewIdle() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
