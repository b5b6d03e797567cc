namespace MaintenanceActors.Actors;

/// <summary>Sent to watchers when a watched actor has stopped.</summary>
public sealed record Terminated(IActorRef ActorRef);

/// <summary>Published on the EventStream when a message could not be delivered.</summary>
public sealed record DeadLetter(object Message, IActorRef Sender, IActorRef Recipient);

/// <summary>Published on the EventStream when an actor did not handle a message.</summary>
public sealed record UnhandledMessage(object Message, IActorRef Sender, IActorRef Recipient);

/// <summary>Stops the receiving actor once the messages queued before it are processed.</summary>
public sealed class PoisonPill
{
    private PoisonPill()
    {
    }

    /// <summary>The single instance.</summary>
    public static readonly PoisonPill Instance = new();

    /// <inheritdoc />
    public override string ToString() => "PoisonPill";
}

/// <summary>Conventional replies for success and failure (a Failure reply faults an Ask).</summary>
public static class Status
{
    /// <summary>A successful reply carrying an optional value.</summary>
    public sealed record Success(object? Status);

    /// <summary>A failed reply; Ask turns it into a faulted task with <paramref name="Cause"/>.</summary>
    public sealed record Failure(Exception Cause);
}
