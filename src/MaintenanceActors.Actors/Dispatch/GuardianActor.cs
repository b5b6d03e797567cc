namespace MaintenanceActors.Actors.Dispatch;

/// <summary>The <c>/user</c> actor: parent of top-level actors, supervising them with the default strategy.</summary>
internal sealed class GuardianActor : ActorBase
{
    internal override Task? InvokeReceive(object message)
    {
        InvokeUnhandled(message);
        return null;
    }
}
