namespace MaintenanceActors.Actors.Dispatch;

/// <summary>Who watches this actor, and whom it watches.</summary>
internal sealed partial class ActorCell
{
    private HashSet<IActorRef>? _watchers;
    private HashSet<IActorRef>? _watching;

    public IActorRef Watch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (ReferenceEquals(subject, Self))
        {
            return subject;
        }

        if ((_watching ??= []).Add(subject))
        {
            WatchFrom(subject, Self);
        }

        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (_watching is not null && _watching.Remove(subject) && subject is LocalActorRef local)
        {
            local.Cell.SendSystem(new SystemMessage.Unwatch(Self));
        }

        return subject;
    }

    /// <summary>Registers <paramref name="watcher"/> (an actor or a probe) with <paramref name="subject"/>.</summary>
    internal static void WatchFrom(IActorRef subject, IActorRef watcher)
    {
        if (subject is LocalActorRef local)
        {
            local.Cell.SendSystem(new SystemMessage.Watch(watcher));
        }
        else if (subject is NullActorRef)
        {
            // Nothing lives there: it is as good as terminated.
            watcher.Tell(new Terminated(subject), subject);
        }
    }

    private void AddWatcher(IActorRef watcher) => (_watchers ??= []).Add(watcher);

    private void NotifyWatchers()
    {
        if (_watchers is null)
        {
            return;
        }

        var terminated = new Terminated(Self);
        foreach (var watcher in _watchers)
        {
            watcher.Tell(terminated, Self);
        }

        _watchers = null;
    }

    private void UnwatchAllOnStop()
    {
        if (_watching is null)
        {
            return;
        }

        foreach (var subject in _watching)
        {
            if (subject is LocalActorRef local)
            {
                local.Cell.SendSystem(new SystemMessage.Unwatch(Self));
            }
        }

        _watching = null;
    }
}
