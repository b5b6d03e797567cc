namespace MaintenanceActors.Actors;

/// <summary>An actor whose protocol is a list of typed handlers, switchable with Become.</summary>
public abstract class ReceiveActor : ActorBase
{
    private readonly List<List<Handler>> _behaviors = [[]];
    private List<Handler>? _target;

    /// <summary>Handlers registered in the derived constructor form the initial behaviour.</summary>
    protected ReceiveActor()
    {
        _target = _behaviors[0];
    }

    /// <summary>Handles messages of type <typeparamref name="T"/> (optionally only those matching <paramref name="shouldHandle"/>).</summary>
    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Target().Add(new SyncHandler<T>(handler, shouldHandle));
    }

    /// <summary>Handles messages with an async handler; nothing else is processed until its task completes, and a fault goes to supervision.</summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Target().Add(new AsyncHandler<T>(handler, shouldHandle));
    }

    /// <summary>Handles any message not taken by an earlier handler.</summary>
    protected void ReceiveAny(Action<object> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Target().Add(new SyncHandler<object>(handler, null));
    }

    /// <summary>Replaces the current behaviour with the handlers registered inside <paramref name="configure"/>.</summary>
    protected void Become(Action configure)
    {
        var behavior = Build(configure);
        var top = _behaviors[^1];
        _behaviors[^1] = behavior;
        if (ReferenceEquals(_target, top))
        {
            // Become inside the constructor: later Receive calls there extend the new behaviour.
            _target = behavior;
        }
    }

    /// <summary>Pushes a behaviour; <see cref="UnbecomeStacked"/> returns to the previous one.</summary>
    protected void BecomeStacked(Action configure) => _behaviors.Add(Build(configure));

    /// <summary>Returns to the behaviour below the current one (the initial behaviour is never removed).</summary>
    protected void UnbecomeStacked()
    {
        if (_behaviors.Count > 1)
        {
            _behaviors.RemoveAt(_behaviors.Count - 1);
        }
    }

    internal sealed override void OnConstructed() => _target = null;

    internal sealed override Task? InvokeReceive(object message)
    {
        var handlers = _behaviors[^1];
        for (var i = 0; i < handlers.Count; i++)
        {
            if (handlers[i].TryInvoke(message, out var task))
            {
                return task;
            }
        }

        InvokeUnhandled(message);
        return null;
    }

    private List<Handler> Build(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var saved = _target;
        var behavior = new List<Handler>();
        _target = behavior;
        try
        {
            configure();
        }
        finally
        {
            _target = saved;
        }

        return behavior;
    }

    private List<Handler> Target() => _target
        ?? throw new InvalidOperationException(
            $"{GetType().Name}: Receive/ReceiveAsync/ReceiveAny may be called only in the constructor or inside Become(...)/BecomeStacked(...).");

    private abstract class Handler
    {
        public abstract bool TryInvoke(object message, out Task? task);
    }

    private sealed class SyncHandler<T>(Action<T> handler, Predicate<T>? shouldHandle) : Handler
    {
        public override bool TryInvoke(object message, out Task? task)
        {
            task = null;
            if (message is T typed && (shouldHandle is null || shouldHandle(typed)))
            {
                handler(typed);
                return true;
            }

            return false;
        }
    }

    private sealed class AsyncHandler<T>(Func<T, Task> handler, Predicate<T>? shouldHandle) : Handler
    {
        public override bool TryInvoke(object message, out Task? task)
        {
            if (message is T typed && (shouldHandle is null || shouldHandle(typed)))
            {
                // Continuations after an await are posted back through the actor (see ActorSynchronizationContext).
                var previous = SynchronizationContext.Current;
                SynchronizationContext.SetSynchronizationContext(Dispatch.ActorCell.Current?.SyncContext);
                try
                {
                    task = handler(typed) ?? Task.CompletedTask;
                }
                finally
                {
                    SynchronizationContext.SetSynchronizationContext(previous);
                }

                return true;
            }

            task = null;
            return false;
        }
    }
}
