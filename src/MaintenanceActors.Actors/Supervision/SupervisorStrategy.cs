namespace MaintenanceActors.Actors;

/// <summary>Decides what happens to a child that threw, and how often it may be restarted.</summary>
public abstract class SupervisorStrategy
{
    /// <summary>Restarts on any exception, without limit; stops on initialization failures and unhandled Terminated.</summary>
    public static SupervisorStrategy DefaultStrategy { get; } = new OneForOneStrategy(DefaultDecider);

    /// <summary>Stop for <see cref="ActorInitializationException"/> and <see cref="DeathPactException"/>, Restart otherwise.</summary>
    public static Directive DefaultDecider(Exception cause) => cause switch
    {
        ActorInitializationException => Directive.Stop,
        DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>Restarts allowed within <see cref="WithinTimeRange"/>; -1 means unlimited.</summary>
    public abstract int MaxNrOfRetries { get; }

    /// <summary>Window for <see cref="MaxNrOfRetries"/>; <see cref="Timeout.InfiniteTimeSpan"/> counts over the child's lifetime.</summary>
    public abstract TimeSpan WithinTimeRange { get; }

    internal abstract BackoffSettings? Backoff { get; }

    /// <summary>The directive for <paramref name="cause"/>.</summary>
    public abstract Directive Decide(Exception cause);
}

internal sealed record BackoffSettings(TimeSpan MinBackoff, TimeSpan MaxBackoff, double RandomFactor, TimeSpan ResetAfter);
