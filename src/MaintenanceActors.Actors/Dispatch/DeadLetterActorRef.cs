namespace MaintenanceActors.Actors.Dispatch;

/// <summary>Publishes whatever it receives as <see cref="DeadLetter"/>.</summary>
internal sealed class DeadLetterActorRef(ActorSystem system) : IActorRef, ISystemBoundRef
{
    public ActorPath Path { get; } = ActorPath.Root("deadLetters");

    public ActorSystem System { get; } = system;

    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        System.PublishDeadLetter(message, sender ?? ActorRefs.NoSender, this);
    }

    public bool Equals(IActorRef? other) => ReferenceEquals(this, other);

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => global::System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    public override string ToString() => Path.ToString();
}
