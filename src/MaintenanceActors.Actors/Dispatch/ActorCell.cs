using System.Collections.Concurrent;
using MaintenanceActors.Actors.Logging;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Actors.Dispatch;

/// <summary>
/// The runtime of one actor: its mailbox, its instance and its place in the hierarchy.
/// At most one thread executes a cell at a time (guarded by <see cref="_scheduled"/>), so
/// every field not marked otherwise is touched only by that thread.
/// </summary>
internal sealed partial class ActorCell : IActorContext, IThreadPoolWorkItem
{
    [ThreadStatic]
    private static ActorCell? t_current;

    private readonly ConcurrentQueue<Envelope> _mailbox = new();
    private readonly ConcurrentQueue<SystemMessage> _systemQueue = new();
    private readonly ActorCell? _parent;
    private readonly int _throughput;

    // Shared between threads: 1 while the cell is queued on or running in the thread pool.
    private int _scheduled;
    private volatile bool _terminated;

    private ActorBase? _actor;
    private IActorRef _sender = ActorRefs.NoSender;
    private object? _currentMessage;
    private bool _hasCurrentMessage;
    private List<Envelope>? _prepended;
    private ILogger? _log;

    private ActorCell(ActorSystem system, ActorCell? parent, Props props, ActorPath path)
    {
        System = system;
        _parent = parent;
        Props = props;
        Path = path;
        _throughput = system.Options.Throughput;
        Self = new LocalActorRef(this);
        _syncContext = new ActorSynchronizationContext(this, 0);
        _systemQueue.Enqueue(SystemMessage.Create.Instance);
    }

    /// <summary>The cell whose actor code runs on this thread, if any.</summary>
    public static ActorCell? Current => t_current;

    public ActorSystem System { get; }

    public Props Props { get; }

    public ActorPath Path { get; }

    public LocalActorRef Self { get; }

    IActorRef IActorContext.Self => Self;

    public IActorRef Sender => _sender;

    public IActorRef Parent => (IActorRef?)_parent?.Self ?? ActorRefs.Nobody;

    public bool IsTerminated => _terminated;

    public ILogger Log => _log ??= new ActorScopedLogger(System.LoggerFor(Props.ActorType), Path.ToString());

    internal ActorSynchronizationContext SyncContext => _syncContext;

    internal object? CurrentMessage => _hasCurrentMessage ? _currentMessage : null;

    public static ActorCell CreateGuardian(ActorSystem system)
    {
        var cell = new ActorCell(system, null, Props.Create(static () => new GuardianActor()), ActorPath.Root("user"));
        cell.Schedule();
        return cell;
    }

    public void Post(in Envelope envelope)
    {
        if (_terminated)
        {
            System.PublishDeadLetter(envelope.Message, envelope.Sender, Self);
            return;
        }

        _mailbox.Enqueue(envelope);
        Schedule();
    }

    public void SendSystem(SystemMessage message)
    {
        _systemQueue.Enqueue(message);
        Schedule();
    }

    public void Execute()
    {
        t_current = this;
        try
        {
            ProcessSystemMessages();
            for (var budget = _throughput; budget > 0 && CanProcessUser; budget--)
            {
                if (!TryDequeueUser(out var envelope))
                {
                    break;
                }

                Invoke(envelope);
                if (!_systemQueue.IsEmpty)
                {
                    ProcessSystemMessages();
                }
            }

            if (_terminated)
            {
                DrainToDeadLetters();
            }
        }
        catch (Exception ex)
        {
            // A kernel bug must not take the process down with an unhandled thread-pool exception.
            System.KernelLog.LogCritical(ex, "Actor kernel error in {ActorPath}", Path.ToString());
        }
        finally
        {
            t_current = null;

            // Cell-local state is read before releasing the flag; afterwards another thread may own the cell.
            var canProcessUser = CanProcessUser;
            var localWork = canProcessUser && _prepended is { Count: > 0 };
            var drainMailbox = canProcessUser || _terminated;
            Interlocked.Exchange(ref _scheduled, 0);
            if (localWork || !_systemQueue.IsEmpty || (drainMailbox && !_mailbox.IsEmpty))
            {
                Schedule();
            }
        }
    }

    internal void Prepend(IReadOnlyList<Envelope> envelopes)
    {
        var stack = _prepended ??= [];
        for (var i = envelopes.Count - 1; i >= 0; i--)
        {
            stack.Add(envelopes[i]);
        }
    }

    internal Envelope CurrentEnvelope()
    {
        if (!_hasCurrentMessage)
        {
            throw new InvalidOperationException($"{Path}: Stash() may be called only while processing a message.");
        }

        return new Envelope(_currentMessage!, _sender);
    }

    internal void PublishUnhandled(object message)
    {
        System.KernelLog.LogDebug("Unhandled message {MessageType} from {Sender} to {ActorPath}", message.GetType().Name, _sender.Path.ToString(), Path.ToString());
        System.EventStream.Publish(new UnhandledMessage(message, _sender, Self));
    }

    private bool CanProcessUser => _actor is not null && !_failed && _pendingAsync is null && !_terminating && !_terminated;

    private void Schedule()
    {
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private bool TryDequeueUser(out Envelope envelope)
    {
        if (_prepended is { Count: > 0 } stack)
        {
            envelope = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return true;
        }

        return _mailbox.TryDequeue(out envelope);
    }

    private void Invoke(in Envelope envelope)
    {
        var message = envelope.Message;
        switch (message)
        {
            case Timers.TimerMessage timerMessage:
                if (_timers is null || !_timers.TryAccept(timerMessage, out message))
                {
                    return;
                }

                break;
            case Terminated terminated:
                if (_watching is null || !_watching.Remove(terminated.ActorRef))
                {
                    return;
                }

                if (terminated.ActorRef is LocalActorRef { Cell._parent: var parent } child && ReferenceEquals(parent, this))
                {
                    // ChildTerminated may still be queued: free the name now so the handler can re-create the child.
                    RemoveChild(child);
                }

                break;
            case PoisonPill:
                BeginTerminate();
                return;
        }

        _sender = envelope.Sender;
        _currentMessage = message;
        _hasCurrentMessage = true;
        try
        {
            var task = _actor!.InvokeReceive(message);
            if (task is not null)
            {
                AwaitHandler(task, message);
            }
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(ex, message);
        }
        finally
        {
            // An awaiting ReceiveAsync handler still owns the message (it may Stash it after an await).
            if (_pendingAsync is null)
            {
                _hasCurrentMessage = false;
                _currentMessage = null;
            }
        }
    }

    private void ProcessSystemMessages()
    {
        while (_systemQueue.TryDequeue(out var message))
        {
            if (_terminated)
            {
                ProcessAfterTermination(message);
                continue;
            }

            switch (message)
            {
                case SystemMessage.Create:
                    Create();
                    break;
                case SystemMessage.Terminate:
                    BeginTerminate();
                    break;
                case SystemMessage.Recreate recreate:
                    Recreate(recreate.Cause, recreate.Delay);
                    break;
                case SystemMessage.RestartDue due:
                    HandleRestartDue(due.Incarnation);
                    break;
                case SystemMessage.Resume:
                    Resume();
                    break;
                case SystemMessage.Failed failed:
                    HandleChildFailed(failed.Child, failed.Cause);
                    break;
                case SystemMessage.ChildTerminated childTerminated:
                    HandleChildTerminated(childTerminated.Child);
                    break;
                case SystemMessage.Watch watch:
                    AddWatcher(watch.Watcher);
                    break;
                case SystemMessage.Unwatch unwatch:
                    _watchers?.Remove(unwatch.Watcher);
                    break;
                case SystemMessage.AsyncCompleted completed:
                    HandleAsyncCompleted(completed.Task);
                    break;
                case SystemMessage.RunContinuation continuation:
                    RunContinuation(continuation);
                    break;
            }
        }
    }

    private void ProcessAfterTermination(SystemMessage message)
    {
        if (message is SystemMessage.Watch watch)
        {
            watch.Watcher.Tell(new Terminated(Self), Self);
        }
    }

    private void DrainToDeadLetters()
    {
        if (_prepended is { Count: > 0 } stack)
        {
            for (var i = stack.Count - 1; i >= 0; i--)
            {
                System.PublishDeadLetter(stack[i].Message, stack[i].Sender, Self);
            }

            stack.Clear();
        }

        while (_mailbox.TryDequeue(out var envelope))
        {
            System.PublishDeadLetter(envelope.Message, envelope.Sender, Self);
        }
    }

    public override string ToString() => $"ActorCell({Path})";
}
