using MaintenanceActors.Actors.Dispatch;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Actors;

/// <summary>Base of every actor: lifecycle hooks, Self/Sender, logging and supervision of children.</summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    /// <summary>Binds the instance to the cell that is creating it; actors are created only by ActorOf.</summary>
    protected ActorBase()
    {
        _cell = ActorCell.Current
            ?? throw new InvalidOperationException(
                $"{GetType().Name} must be created with ActorOf(Props.Create<{GetType().Name}>(...)), not with 'new'.");
    }

    /// <summary>The running actor's context; valid only while the actor processes a message or a lifecycle hook.</summary>
    protected static IActorContext Context => ActorCell.Current
        ?? throw new InvalidOperationException("Context is available only inside an actor's message handler, constructor or lifecycle hook.");

    /// <summary>This actor's reference.</summary>
    protected IActorRef Self => _cell.Self;

    /// <summary>The sender of the message being processed (kept across awaits of ReceiveAsync).</summary>
    protected IActorRef Sender => _cell.Sender;

    /// <summary>A logger whose category is the actor class and whose scope carries ActorPath.</summary>
    protected ILogger Log => _cell.Log;

    internal ActorCell Cell => _cell;

    /// <summary>Set once the kernel adopted the instance; a Props factory must never hand it out twice.</summary>
    internal bool Adopted { get; set; }

    /// <summary>Runs before the first message (and after a restart, by default from PostRestart).</summary>
    protected virtual void PreStart()
    {
    }

    /// <summary>Runs after the actor stopped (its children have already stopped).</summary>
    protected virtual void PostStop()
    {
    }

    /// <summary>Runs on the failed instance before a restart; by default unwatches and stops all children and calls PostStop.</summary>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.GetChildren())
        {
            // Watched, their Terminated would reach the new instance, which fails with a DeathPactException unless it handles it.
            Context.Unwatch(child);
            Context.Stop(child);
        }

        PostStop();
    }

    /// <summary>Runs on the new instance after a restart; by default calls PreStart.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>How failures of this actor's children are handled; default restarts on any exception.</summary>
    protected virtual SupervisorStrategy SupervisorStrategy() => Actors.SupervisorStrategy.DefaultStrategy;

    /// <summary>Called for a message no handler took; publishes <see cref="UnhandledMessage"/> (an unhandled Terminated fails the actor).</summary>
    protected virtual void Unhandled(object message)
    {
        if (message is Terminated terminated)
        {
            throw new DeathPactException(terminated.ActorRef);
        }

        _cell.PublishUnhandled(message);
    }

    internal abstract Task? InvokeReceive(object message);

    internal virtual void OnConstructed()
    {
    }

    internal void InvokePreStart() => PreStart();

    internal void InvokePostStop() => PostStop();

    internal void InvokePreRestart(Exception reason, object? message) => PreRestart(reason, message);

    internal void InvokePostRestart(Exception reason) => PostRestart(reason);

    internal SupervisorStrategy InvokeSupervisorStrategy() => SupervisorStrategy();

    internal void InvokeUnhandled(object message) => Unhandled(message);
}
