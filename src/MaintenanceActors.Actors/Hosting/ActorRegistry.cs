using System.Collections.Concurrent;

namespace MaintenanceActors.Actors.Hosting;

/// <summary>Named top-level actors of the host, keyed by a marker type (usually the actor class).</summary>
public sealed class ActorRegistry
{
    private readonly ConcurrentDictionary<Type, IActorRef> _actors = new();
    private readonly ConcurrentDictionary<Type, TaskCompletionSource<IActorRef>> _waiters = new();

    /// <summary>Registers <paramref name="actor"/> under <typeparamref name="TKey"/>; throws when the key is taken.</summary>
    public void Register<TKey>(IActorRef actor)
    {
        if (!TryRegister<TKey>(actor))
        {
            throw new InvalidOperationException(
                $"An actor is already registered for {typeof(TKey).FullName} ({_actors[typeof(TKey)].Path}); register each key once.");
        }
    }

    /// <summary>Registers <paramref name="actor"/> unless the key is taken.</summary>
    public bool TryRegister<TKey>(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!_actors.TryAdd(typeof(TKey), actor))
        {
            return false;
        }

        Waiter(typeof(TKey)).TrySetResult(actor);
        return true;
    }

    /// <summary>The actor registered under <typeparamref name="TKey"/>; throws naming the key when none is.</summary>
    public IActorRef Get<TKey>()
        => TryGet<TKey>(out var actor)
            ? actor
            : throw new KeyNotFoundException(
                $"No actor is registered for {typeof(TKey).FullName}; register it in AddActorSystem(..., b => b.WithActors((system, registry, sp) => registry.Register<{typeof(TKey).Name}>(...))).");

    /// <summary>Looks the actor up without throwing.</summary>
    public bool TryGet<TKey>(out IActorRef actor)
    {
        if (_actors.TryGetValue(typeof(TKey), out var found))
        {
            actor = found;
            return true;
        }

        actor = ActorRefs.Nobody;
        return false;
    }

    /// <summary>Waits until an actor is registered under <typeparamref name="TKey"/>.</summary>
    public Task<IActorRef> GetAsync<TKey>(CancellationToken ct = default)
    {
        if (_actors.TryGetValue(typeof(TKey), out var found))
        {
            return Task.FromResult(found);
        }

        return Waiter(typeof(TKey)).Task.WaitAsync(ct);
    }

    private TaskCompletionSource<IActorRef> Waiter(Type key)
    {
        var waiter = _waiters.GetOrAdd(key, static _ => new TaskCompletionSource<IActorRef>(TaskCreationOptions.RunContinuationsAsynchronously));

        // A registration that raced with the waiter's creation is completed here.
        if (_actors.TryGetValue(key, out var actor))
        {
            waiter.TrySetResult(actor);
        }

        return waiter;
    }
}
