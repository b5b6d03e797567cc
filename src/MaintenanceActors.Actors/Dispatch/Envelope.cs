namespace MaintenanceActors.Actors.Dispatch;

/// <summary>A queued user message; a struct so that a Tell allocates nothing beyond the queue's segments.</summary>
internal readonly struct Envelope(object message, IActorRef sender)
{
    public readonly object Message = message;
    public readonly IActorRef Sender = sender;
}
