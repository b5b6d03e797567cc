namespace MaintenanceActors.Actors;

/// <summary>Thrown when an actor name is invalid or already taken under the same parent.</summary>
public sealed class InvalidActorNameException(string message) : ArgumentException(message);

/// <summary>Wraps a failure in an actor's constructor, PreStart or PostRestart; the default strategy stops such an actor.</summary>
public sealed class ActorInitializationException(string message, Exception inner) : Exception(message, inner);

/// <summary>Raised in a watcher that did not handle the Terminated message of an actor it watched.</summary>
public sealed class DeathPactException(IActorRef deadActor)
    : Exception($"Terminated of watched actor {deadActor.Path} was not handled; handle Terminated or Unwatch it.")
{
    /// <summary>The watched actor that stopped.</summary>
    public IActorRef DeadActor { get; } = deadActor;
}
