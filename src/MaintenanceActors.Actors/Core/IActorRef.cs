namespace MaintenanceActors.Actors;

/// <summary>An address to send messages to; the only way to talk to an actor.</summary>
public interface IActorRef : IEquatable<IActorRef>
{
    /// <summary>Where the actor lives in the hierarchy.</summary>
    ActorPath Path { get; }

    /// <summary>Sends a message without waiting; <paramref name="sender"/> is what the receiver sees as Sender.</summary>
    void Tell(object message, IActorRef? sender);
}

/// <summary>Well-known references that lead nowhere.</summary>
public static class ActorRefs
{
    /// <summary>The sender to use when there is none; replies to it are dropped.</summary>
    public static readonly IActorRef NoSender = new NullActorRef(ActorPath.Root("noSender"));

    /// <summary>A reference to no actor; messages to it are dropped.</summary>
    public static readonly IActorRef Nobody = new NullActorRef(ActorPath.Root("nobody"));
}

/// <summary>Tell with the current actor as implicit sender.</summary>
public static class ActorRefImplicitSenderExtensions
{
    /// <summary>Sends <paramref name="message"/> with the calling actor's Self as sender, or NoSender outside an actor.</summary>
    public static void Tell(this IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        var cell = Dispatch.ActorCell.Current;
        IActorRef sender = cell is not null
            ? cell.Self
            : (target as ISystemBoundRef)?.System.ExternalDefaultSender ?? ActorRefs.NoSender;
        target.Tell(message, sender);
    }

    /// <summary>Sends <paramref name="message"/> keeping the current message's sender (inside an actor), so the target replies to the original sender.</summary>
    public static void Forward(this IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(message, Dispatch.ActorCell.Current?.Sender ?? ActorRefs.NoSender);
    }
}

/// <summary>A reference that belongs to one actor system (used for ask defaults and implicit senders).</summary>
internal interface ISystemBoundRef
{
    ActorSystem System { get; }
}

internal sealed class NullActorRef(ActorPath path) : IActorRef
{
    public ActorPath Path { get; } = path;

    public void Tell(object message, IActorRef? sender)
    {
        // Null object: replies to "no sender" are intentionally discarded.
    }

    public bool Equals(IActorRef? other) => ReferenceEquals(this, other);

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    public override string ToString() => Path.ToString();
}
