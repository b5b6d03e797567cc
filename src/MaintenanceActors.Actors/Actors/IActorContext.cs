namespace MaintenanceActors.Actors;

/// <summary>What an actor can see and do about itself and its children while it runs.</summary>
public interface IActorContext
{
    /// <summary>The actor's own reference.</summary>
    IActorRef Self { get; }

    /// <summary>The sender of the message being processed (NoSender when none).</summary>
    IActorRef Sender { get; }

    /// <summary>The supervising parent.</summary>
    IActorRef Parent { get; }

    /// <summary>The system the actor belongs to.</summary>
    ActorSystem System { get; }

    /// <summary>The recipe the actor was created from.</summary>
    Props Props { get; }

    /// <summary>The current children (including ones that are stopping).</summary>
    IEnumerable<IActorRef> GetChildren();

    /// <summary>The child with that name, or null.</summary>
    IActorRef? Child(string name);

    /// <summary>Creates a child; an invalid or duplicate name throws <see cref="InvalidActorNameException"/>.</summary>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>Stops a child (or Self) asynchronously.</summary>
    void Stop(IActorRef child);

    /// <summary>Delivers <see cref="Terminated"/> to this actor when <paramref name="subject"/> stops.</summary>
    IActorRef Watch(IActorRef subject);

    /// <summary>Stops watching; a Terminated not yet processed is dropped.</summary>
    IActorRef Unwatch(IActorRef subject);
}
