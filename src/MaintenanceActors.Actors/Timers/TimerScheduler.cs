using MaintenanceActors.Actors.Dispatch;

namespace MaintenanceActors.Actors.Timers;

/// <summary>Wraps a timer's message with its generation so that a cancelled or replaced timer's queued message is dropped.</summary>
internal sealed class TimerMessage(object key, long generation, object message)
{
    public object Key { get; } = key;

    public long Generation { get; } = generation;

    public object Message { get; } = message;
}

/// <summary>The timers of one actor; used only from the actor's own thread (timer callbacks only enqueue).</summary>
internal sealed class TimerScheduler(ActorCell cell) : ITimerScheduler
{
    private readonly Dictionary<object, Entry> _timers = [];
    private long _generation;

    public void StartSingleTimer(object key, object message, TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, $"Timer '{key}' of {cell.Path}: timeout must not be negative (was {timeout}).");
        }

        Start(key, message, timeout, Timeout.InfiniteTimeSpan, periodic: false);
    }

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) => StartPeriodicTimer(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval)
    {
        if (initialDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(initialDelay), initialDelay, $"Timer '{key}' of {cell.Path}: initialDelay must not be negative (was {initialDelay}).");
        }

        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, $"Timer '{key}' of {cell.Path}: interval must be positive (was {interval}).");
        }

        Start(key, message, initialDelay, interval, periodic: true);
    }

    public bool IsTimerActive(object key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _timers.ContainsKey(key);
    }

    public void Cancel(object key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_timers.Remove(key, out var entry))
        {
            entry.Timer.Dispose();
        }
    }

    public void CancelAll()
    {
        foreach (var entry in _timers.Values)
        {
            entry.Timer.Dispose();
        }

        _timers.Clear();
    }

    internal bool TryAccept(TimerMessage timerMessage, out object message)
    {
        message = timerMessage.Message;
        if (!_timers.TryGetValue(timerMessage.Key, out var entry) || entry.Generation != timerMessage.Generation)
        {
            return false;
        }

        if (!entry.Periodic)
        {
            _timers.Remove(timerMessage.Key);
            entry.Timer.Dispose();
        }

        return true;
    }

    private void Start(object key, object message, TimeSpan due, TimeSpan period, bool periodic)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        foreach (var (name, value) in new[] { (nameof(due), due), (nameof(period), period) })
        {
            if (value > Futures.MaxTimerDelay)
            {
                throw new ArgumentOutOfRangeException(name, value,
                    $"Timer '{key}' of {cell.Path}: {value} is longer than a timer can wait (at most {Math.Floor(Futures.MaxTimerDelay.TotalDays)} days).");
            }
        }

        Cancel(key);
        var generation = ++_generation;
        var tick = new Tick(cell.Self, new TimerMessage(key, generation, message));
        var timer = cell.System.TimeProvider.CreateTimer(static s => ((Tick)s!).Fire(), tick, due, period);
        _timers[key] = new Entry(generation, periodic, timer);
    }

    private sealed record Entry(long Generation, bool Periodic, ITimer Timer);

    private sealed class Tick(LocalActorRef self, TimerMessage message)
    {
        public void Fire() => self.Tell(message, self);
    }
}
