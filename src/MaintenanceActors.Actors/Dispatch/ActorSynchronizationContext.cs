namespace MaintenanceActors.Actors.Dispatch;

/// <summary>
/// Installed while a ReceiveAsync handler (or its continuation) runs, so code after an await is
/// posted back through the actor's system queue and runs with the actor's context restored.
/// </summary>
internal sealed class ActorSynchronizationContext(ActorCell cell, int incarnation) : SynchronizationContext
{
    public int Incarnation { get; } = incarnation;

    public override void Post(SendOrPostCallback d, object? state)
        => cell.SendSystem(new SystemMessage.RunContinuation(d, state, Incarnation));

    public override void Send(SendOrPostCallback d, object? state)
        => throw new NotSupportedException("Synchronous Send into an actor would deadlock; use Post.");

    public override SynchronizationContext CreateCopy() => this;
}
