using MaintenanceActors.Actors.Supervision;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Actors.Dispatch;

/// <summary>Children and their supervision. The children table is locked because ActorSystem.ActorOf reaches the guardian from any thread.</summary>
internal sealed partial class ActorCell
{
    private readonly object _childrenLock = new();
    private readonly Dictionary<string, ChildSlot> _children = new(StringComparer.Ordinal);
    private long _nameCounter;
    private List<LocalActorRef>? _escalatedChildren;

    public IActorRef ActorOf(Props props, string? name = null)
    {
        if (props is null)
        {
            throw new ArgumentNullException(nameof(props), $"Props must not be null when creating a child of {Path}; use Props.Create<TActor>().");
        }

        ActorCell child;
        bool stopAtOnce;
        lock (_childrenLock)
        {
            if (name is null)
            {
                name = ActorNames.Generated(_nameCounter++);
            }
            else
            {
                ActorNames.Validate(name, Path);
            }

            if (_children.ContainsKey(name))
            {
                throw new InvalidActorNameException(
                    $"Actor name '{name}' is not unique under {Path}: a child with that name exists or is still stopping; pick another name or wait for its Terminated.");
            }

            child = new ActorCell(System, this, props, Path.Child(name));
            stopAtOnce = _terminating;
            _children.Add(name, new ChildSlot(child.Self) { Stopping = stopAtOnce });
        }

        if (stopAtOnce)
        {
            // The parent is stopping: the child starts and stops so that PostStop and Terminated still happen.
            child._systemQueue.Enqueue(SystemMessage.Terminate.Instance);
        }

        child.Schedule();
        return child.Self;
    }

    public IEnumerable<IActorRef> GetChildren()
    {
        lock (_childrenLock)
        {
            var result = new IActorRef[_children.Count];
            var i = 0;
            foreach (var slot in _children.Values)
            {
                result[i++] = slot.Child;
            }

            return result;
        }
    }

    public IActorRef? Child(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_childrenLock)
        {
            return _children.TryGetValue(name, out var slot) ? slot.Child : null;
        }
    }

    public void Stop(IActorRef child)
    {
        ArgumentNullException.ThrowIfNull(child);
        if (child is not LocalActorRef local)
        {
            return;
        }

        if (ReferenceEquals(local, Self))
        {
            SendSystem(SystemMessage.Terminate.Instance);
            return;
        }

        lock (_childrenLock)
        {
            if (_children.TryGetValue(local.Path.Name, out var slot) && ReferenceEquals(slot.Child, local))
            {
                slot.Stopping = true;
            }
        }

        local.Cell.SendSystem(SystemMessage.Terminate.Instance);
    }

    private bool StopAllChildren()
    {
        ChildSlot[] slots;
        lock (_childrenLock)
        {
            if (_children.Count == 0)
            {
                return false;
            }

            slots = [.. _children.Values];
            foreach (var slot in slots)
            {
                slot.Stopping = true;
            }
        }

        foreach (var slot in slots)
        {
            slot.Child.Cell.SendSystem(SystemMessage.Terminate.Instance);
        }

        return true;
    }

    private bool AnyChildStopping()
    {
        lock (_childrenLock)
        {
            foreach (var slot in _children.Values)
            {
                if (slot.Stopping)
                {
                    return true;
                }
            }

            return false;
        }
    }

    private ChildSlot? FindSlot(LocalActorRef child)
    {
        lock (_childrenLock)
        {
            return _children.TryGetValue(child.Path.Name, out var slot) && ReferenceEquals(slot.Child, child) ? slot : null;
        }
    }

    private bool RemoveChild(LocalActorRef child)
    {
        lock (_childrenLock)
        {
            if (_children.TryGetValue(child.Path.Name, out var slot) && ReferenceEquals(slot.Child, child))
            {
                _children.Remove(child.Path.Name);
            }

            return _children.Count == 0;
        }
    }

    private void HandleChildTerminated(LocalActorRef child)
    {
        var empty = RemoveChild(child);

        if (_terminating)
        {
            if (empty)
            {
                FinishTerminate();
            }
        }
        else
        {
            TryFinishRecreate();
        }
    }

    private void HandleChildFailed(LocalActorRef child, Exception cause)
    {
        var slot = FindSlot(child);
        if (_terminating || slot is null || slot.Stopping)
        {
            return; // the child is being stopped anyway
        }

        var strategy = SupervisorStrategy.DefaultStrategy;
        Directive directive;
        try
        {
            strategy = Props.SupervisorStrategy ?? _actor?.InvokeSupervisorStrategy() ?? SupervisorStrategy.DefaultStrategy;
            directive = strategy.Decide(cause);
        }
        catch (Exception ex)
        {
            System.KernelLog.LogError(ex, "Supervisor strategy of {ActorPath} threw; escalating the child's failure", Path.ToString());
            directive = Directive.Escalate;
        }

        switch (directive)
        {
            case Directive.Resume:
                child.Cell.SendSystem(SystemMessage.Resume.Instance);
                break;
            case Directive.Restart:
                RestartChild(slot, strategy, cause);
                break;
            case Directive.Stop:
                Stop(child);
                break;
            default:
                // The child stays suspended until this actor's own supervisor has decided (see ResumeEscalatedChildren).
                (_escalatedChildren ??= []).Add(child);
                HandleInvokeFailure(cause, _hasCurrentMessage ? _currentMessage : null);
                break;
        }
    }

    /// <summary>This actor was resumed or restarted after escalating: the children whose failure it escalated continue too.</summary>
    private void ResumeEscalatedChildren(Exception? restartCause)
    {
        if (_escalatedChildren is not { } escalated)
        {
            return;
        }

        _escalatedChildren = null;
        foreach (var child in escalated)
        {
            if (FindSlot(child) is not { Stopping: false })
            {
                continue; // stopped meanwhile, e.g. by the default PreRestart
            }

            child.Cell.SendSystem(restartCause is null ? SystemMessage.Resume.Instance : new SystemMessage.Recreate(restartCause, TimeSpan.Zero));
        }
    }

    private void RestartChild(ChildSlot slot, SupervisorStrategy strategy, Exception cause)
    {
        var now = System.TimeProvider.GetUtcNow();
        if (!slot.Stats.RequestRestartPermission(strategy, now))
        {
            System.KernelLog.LogWarning(
                "Child {ChildPath} exceeded {MaxRetries} restarts within {Window}; stopping it",
                slot.Child.Path.ToString(),
                strategy.MaxNrOfRetries,
                strategy.WithinTimeRange);
            Stop(slot.Child);
            return;
        }

        var delay = TimeSpan.Zero;
        if (strategy.Backoff is { } backoff)
        {
            delay = slot.Stats.NextBackoff(backoff, now);
            System.KernelLog.LogInformation("Restarting {ChildPath} in {Delay}", slot.Child.Path.ToString(), delay);
        }

        slot.Child.Cell.SendSystem(new SystemMessage.Recreate(cause, delay));
    }

    private sealed class ChildSlot(LocalActorRef child)
    {
        public LocalActorRef Child { get; } = child;

        public bool Stopping { get; set; }

        public ChildRestartStats Stats { get; } = new();
    }
}
