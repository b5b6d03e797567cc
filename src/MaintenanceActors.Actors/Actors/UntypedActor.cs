namespace MaintenanceActors.Actors;

/// <summary>An actor with one OnReceive method; call Unhandled for messages it does not know.</summary>
public abstract class UntypedActor : ActorBase
{
    /// <summary>Processes one message.</summary>
    protected abstract void OnReceive(object message);

    internal sealed override Task? InvokeReceive(object message)
    {
        OnReceive(message);
        return null;
    }
}
