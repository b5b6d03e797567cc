namespace MaintenanceActors.Actors.Supervision;

/// <summary>Per-child restart bookkeeping kept by the parent (only the parent's thread touches it).</summary>
internal sealed class ChildRestartStats
{
    private int _restarts;
    private DateTimeOffset _windowStart;
    private int _backoffAttempts;
    private DateTimeOffset _lastRestartAt;

    public bool RequestRestartPermission(SupervisorStrategy strategy, DateTimeOffset now)
    {
        var max = strategy.MaxNrOfRetries;
        if (max < 0)
        {
            return true;
        }

        var within = strategy.WithinTimeRange;
        if (within != Timeout.InfiniteTimeSpan && (_restarts == 0 || now - _windowStart > within))
        {
            _windowStart = now;
            _restarts = 0;
        }

        _restarts++;
        return _restarts <= max;
    }

    public TimeSpan NextBackoff(BackoffSettings backoff, DateTimeOffset now)
    {
        if (_backoffAttempts > 0 && now - _lastRestartAt >= backoff.ResetAfter)
        {
            _backoffAttempts = 0;
        }

        var exponent = Math.Min(_backoffAttempts, 30);
        var baseTicks = Math.Min(backoff.MaxBackoff.Ticks, backoff.MinBackoff.Ticks * Math.Pow(2, exponent));
        var jitter = backoff.RandomFactor == 0 ? 1.0 : 1.0 + (backoff.RandomFactor * ((Random.Shared.NextDouble() * 2) - 1));
        var delay = TimeSpan.FromTicks((long)Math.Max(0, baseTicks * jitter));
        _backoffAttempts++;
        _lastRestartAt = now + delay;
        return delay;
    }
}
