using System.Collections.Concurrent;

namespace MaintenanceActors.Actors;

/// <summary>Publish/subscribe by type: a subscriber to a base type receives every subtype; stopped actors are removed.</summary>
public sealed class EventStream
{
    private readonly object _lock = new();
    private volatile State _state = new([]);

    /// <summary>Subscribes to <paramref name="channel"/> and its subtypes; false when already subscribed to it or the subscriber has stopped.</summary>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        lock (_lock)
        {
            var current = _state.Subscriptions;
            foreach (var s in current)
            {
                if (s.Channel == channel && s.Subscriber.Equals(subscriber))
                {
                    return false;
                }
            }

            _state = new State([.. current, new Subscription(subscriber, channel)]);
        }

        // A stopping actor unsubscribes once, right after it is marked terminated; a subscription added
        // concurrently would outlive it and turn every later event into a dead letter. The fence pairs with Remove's.
        Interlocked.MemoryBarrier();
        if (subscriber is Dispatch.LocalActorRef { IsTerminated: true })
        {
            Remove(s => s.Subscriber.Equals(subscriber));
            return false;
        }

        return true;
    }

    /// <summary>Removes one subscription; false when there was none.</summary>
    public bool Unsubscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        return Remove(s => s.Channel == channel && s.Subscriber.Equals(subscriber));
    }

    /// <summary>Removes every subscription of <paramref name="subscriber"/>.</summary>
    public void Unsubscribe(IActorRef subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        Remove(s => s.Subscriber.Equals(subscriber));
    }

    /// <summary>Delivers <paramref name="event"/> to every subscriber of its type or a base type (once each).</summary>
    public void Publish(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var state = _state;
        if (state.Subscriptions.Length == 0)
        {
            return;
        }

        var targets = state.Cache.GetOrAdd(@event.GetType(), state.Resolve);
        foreach (var target in targets)
        {
            target.Tell(@event, ActorRefs.NoSender);
        }
    }

    private bool Remove(Predicate<Subscription> match)
    {
        // Checked without the lock first: every stopping actor unsubscribes, most never subscribed.
        Interlocked.MemoryBarrier();
        if (Array.FindIndex(_state.Subscriptions, match) < 0)
        {
            return false;
        }

        lock (_lock)
        {
            var current = _state.Subscriptions;
            var kept = Array.FindAll(current, s => !match(s));
            if (kept.Length == current.Length)
            {
                return false;
            }

            _state = new State(kept);
            return true;
        }
    }

    private readonly record struct Subscription(IActorRef Subscriber, Type Channel);

    /// <summary>An immutable subscription list with its own per-event-type cache, swapped as a whole.</summary>
    private sealed class State(Subscription[] subscriptions)
    {
        public Subscription[] Subscriptions { get; } = subscriptions;

        public ConcurrentDictionary<Type, IActorRef[]> Cache { get; } = new();

        public IActorRef[] Resolve(Type eventType)
        {
            var result = new List<IActorRef>();
            foreach (var s in Subscriptions)
            {
                if (s.Channel.IsAssignableFrom(eventType) && !result.Contains(s.Subscriber))
                {
                    result.Add(s.Subscriber);
                }
            }

            return [.. result];
        }
    }
}
