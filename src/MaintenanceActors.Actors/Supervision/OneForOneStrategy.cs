namespace MaintenanceActors.Actors;

/// <summary>Applies the decider to the failed child only, optionally restarting it with exponential backoff.</summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    private readonly Func<Exception, Directive> _decider;

    /// <summary>At most <paramref name="maxNrOfRetries"/> restarts within <paramref name="withinTimeRange"/> (-1 / infinite = unlimited); beyond that the child is stopped.</summary>
    public OneForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider)
        : this(maxNrOfRetries, withinTimeRange, decider, null)
    {
    }

    /// <summary>Unlimited restarts; <paramref name="decider"/> picks the directive.</summary>
    public OneForOneStrategy(Func<Exception, Directive> decider)
        : this(-1, Timeout.InfiniteTimeSpan, decider, null)
    {
    }

    private OneForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider, BackoffSettings? backoff)
    {
        if (maxNrOfRetries < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxNrOfRetries), maxNrOfRetries,
                $"maxNrOfRetries must be -1 (unlimited) or at least 0 (was {maxNrOfRetries}).");
        }

        if (withinTimeRange <= TimeSpan.Zero && withinTimeRange != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(withinTimeRange), withinTimeRange,
                $"withinTimeRange must be positive or Timeout.InfiniteTimeSpan (was {withinTimeRange}).");
        }

        _decider = decider ?? throw new ArgumentNullException(nameof(decider), "A decider is required, e.g. _ => Directive.Restart.");
        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        Backoff = backoff;
    }

    /// <inheritdoc />
    public override int MaxNrOfRetries { get; }

    /// <inheritdoc />
    public override TimeSpan WithinTimeRange { get; }

    internal override BackoffSettings? Backoff { get; }

    /// <inheritdoc />
    public override Directive Decide(Exception cause) => _decider(cause);

    /// <summary>
    /// Delays each restart of a child by min*2^n (capped at max) times 1 ± <paramref name="randomFactor"/>;
    /// the exponent resets once the child has run for <paramref name="maxBackoff"/> without failing.
    /// </summary>
    public OneForOneStrategy WithBackoff(TimeSpan minBackoff, TimeSpan maxBackoff, double randomFactor)
        => WithBackoff(minBackoff, maxBackoff, randomFactor, maxBackoff);

    /// <summary>As <see cref="WithBackoff(TimeSpan, TimeSpan, double)"/>, resetting the exponent after <paramref name="resetAfter"/> without failure.</summary>
    public OneForOneStrategy WithBackoff(TimeSpan minBackoff, TimeSpan maxBackoff, double randomFactor, TimeSpan resetAfter)
    {
        if (minBackoff < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(minBackoff), minBackoff, $"minBackoff must not be negative (was {minBackoff}).");
        }

        if (maxBackoff < minBackoff)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBackoff), maxBackoff, $"maxBackoff ({maxBackoff}) must be at least minBackoff ({minBackoff}).");
        }

        if (randomFactor is < 0 or > 1 || double.IsNaN(randomFactor))
        {
            throw new ArgumentOutOfRangeException(nameof(randomFactor), randomFactor, $"randomFactor must be between 0 and 1 (was {randomFactor}); 0.2 is typical.");
        }

        if (resetAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(resetAfter), resetAfter, $"resetAfter must not be negative (was {resetAfter}).");
        }

        return new OneForOneStrategy(MaxNrOfRetries, WithinTimeRange, _decider, new BackoffSettings(minBackoff, maxBackoff, randomFactor, resetAfter));
    }
}
