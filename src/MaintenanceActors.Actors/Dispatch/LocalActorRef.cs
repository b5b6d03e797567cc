namespace MaintenanceActors.Actors.Dispatch;

/// <summary>The reference of an actor living in this process; one instance per actor, kept across restarts.</summary>
internal sealed class LocalActorRef(ActorCell cell) : IActorRef, ISystemBoundRef
{
    public ActorCell Cell { get; } = cell;

    public ActorPath Path => Cell.Path;

    public ActorSystem System => Cell.System;

    public bool IsTerminated => Cell.IsTerminated;

    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        Cell.Post(new Envelope(message, sender ?? ActorRefs.NoSender));
    }

    public bool Equals(IActorRef? other) => ReferenceEquals(this, other);

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => global::System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    public override string ToString() => Path.ToString();
}
