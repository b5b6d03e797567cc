using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Actors.Dispatch;

/// <summary>Creation, failure, restart and stop of the actor instance.</summary>
internal sealed partial class ActorCell
{
    private ActorSynchronizationContext _syncContext;
    private int _incarnation;
    private bool _failed;
    private Exception? _failureCause;
    private object? _failedMessage;
    private Task? _pendingAsync;
    private object? _pendingAsyncMessage;
    private bool _terminating;
    private Exception? _pendingRestartCause;
    private bool _restartDue;
    private ITimer? _restartTimer;
    private Stash.StashImpl? _stash;
    private Timers.TimerScheduler? _timers;

    private void Create()
    {
        try
        {
            _actor = NewActor();
            _actor.InvokePreStart();
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(new ActorInitializationException($"Actor {Path} ({Props.ActorType.Name}) failed to start: {ex.Message}", ex), null);
        }
    }

    private ActorBase NewActor()
    {
        var actor = Props.Factory(System);
        if (actor is null || !ReferenceEquals(actor.Cell, this) || actor.Adopted)
        {
            throw new InvalidOperationException(
                $"The Props factory of {Props.ActorType.Name} must create a new actor instance on every call (it returned {(actor is null ? "null" : "an existing instance")}).");
        }

        actor.Adopted = true;
        actor.OnConstructed();
        if (actor is IWithStash withStash)
        {
            withStash.Stash = _stash ??= new Stash.StashImpl(this);
        }

        if (actor is IWithTimers withTimers)
        {
            withTimers.Timers = _timers ??= new Timers.TimerScheduler(this);
        }

        return actor;
    }

    private void AwaitHandler(Task task, object message)
    {
        if (task.IsCompleted)
        {
            ThrowIfFailed(task);
            return;
        }

        _pendingAsync = task;
        _pendingAsyncMessage = message;
        task.ContinueWith(
            static (t, state) => ((ActorCell)state!).SendSystem(new SystemMessage.AsyncCompleted(t)),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private static void ThrowIfFailed(Task task)
    {
        if (task.IsFaulted)
        {
            var exception = task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception;
            global::System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception).Throw();
        }

        if (task.IsCanceled)
        {
            throw new TaskCanceledException(task);
        }
    }

    private void HandleAsyncCompleted(Task task)
    {
        if (!ReferenceEquals(task, _pendingAsync))
        {
            return; // belongs to an incarnation that was restarted or stopped meanwhile
        }

        var message = _pendingAsyncMessage;
        _pendingAsync = null;
        _pendingAsyncMessage = null;
        _hasCurrentMessage = false;
        _currentMessage = null;
        try
        {
            ThrowIfFailed(task);
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(ex, message);
        }
    }

    private void RunContinuation(SystemMessage.RunContinuation continuation)
    {
        if (continuation.Incarnation != _incarnation || _terminating)
        {
            return; // the awaiting handler belongs to an instance that is gone
        }

        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(_syncContext);
        try
        {
            continuation.Callback(continuation.State);
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(ex, _pendingAsyncMessage);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    private void HandleInvokeFailure(Exception cause, object? message)
    {
        if (_terminating)
        {
            System.KernelLog.LogError(cause, "Actor {ActorPath} failed while stopping", Path.ToString());
            return;
        }

        System.KernelLog.LogError(
            cause,
            "Actor {ActorPath} failed processing {MessageType}; its supervisor decides what happens next",
            Path.ToString(),
            message?.GetType().Name ?? "(lifecycle)");
        _failed = true;
        _failureCause = cause;
        _failedMessage = message;
        _pendingAsync = null;
        if (_parent is null)
        {
            // Only the /user guardian has no parent; its children are restarted by it, so this is unexpected.
            System.KernelLog.LogCritical(cause, "Guardian {ActorPath} failed; terminating the actor system", Path.ToString());
            BeginTerminate();
            return;
        }

        _parent.SendSystem(new SystemMessage.Failed(Self, cause));
    }

    private void Resume()
    {
        if (!_failed)
        {
            return;
        }

        if (_actor is null)
        {
            Recreate(_failureCause ?? new InvalidOperationException("resume without instance"), TimeSpan.Zero);
            return;
        }

        _failed = false;
        _failureCause = null;
        _failedMessage = null;
        ResumeEscalatedChildren(null);
    }

    private void Recreate(Exception cause, TimeSpan delay)
    {
        if (_terminating)
        {
            return;
        }

        ResetIncarnation();
        var failed = _actor;
        if (failed is not null)
        {
            try
            {
                failed.InvokePreRestart(cause, _failedMessage);
            }
            catch (Exception ex)
            {
                System.KernelLog.LogError(ex, "PreRestart of {ActorPath} failed", Path.ToString());
            }

            _timers?.CancelAll(); // timers belong to the failed instance, even those its PreRestart started
        }

        _stash?.ReturnAllToMailbox();
        _actor = null;
        _pendingRestartCause = cause;
        _restartDue = delay <= TimeSpan.Zero;
        if (!_restartDue)
        {
            _restartTimer = System.TimeProvider.CreateTimer(
                static state =>
                {
                    var (cell, message) = ((ActorCell, SystemMessage.RestartDue))state!;
                    cell.SendSystem(message);
                },
                (this, new SystemMessage.RestartDue(_incarnation)),
                delay,
                Timeout.InfiniteTimeSpan);
        }

        TryFinishRecreate();
    }

    private void HandleRestartDue(int incarnation)
    {
        if (incarnation != _incarnation || _pendingRestartCause is null)
        {
            return;
        }

        _restartDue = true;
        TryFinishRecreate();
    }

    private void TryFinishRecreate()
    {
        // Children stopped by PreRestart must be gone before the new instance may reuse their names.
        if (_pendingRestartCause is { } cause && _restartDue && !AnyChildStopping())
        {
            FinishRecreate(cause);
        }
    }

    private void FinishRecreate(Exception cause)
    {
        _pendingRestartCause = null;
        CancelRestartTimer();
        try
        {
            _actor = NewActor();
            _actor.InvokePostRestart(cause);
            _failed = false;
            _failureCause = null;
            _failedMessage = null;
            ResumeEscalatedChildren(cause);
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(new ActorInitializationException($"Actor {Path} ({Props.ActorType.Name}) failed to restart: {ex.Message}", ex), null);
        }
    }

    private void CancelRestartTimer() => Interlocked.Exchange(ref _restartTimer, null)?.Dispose();

    private void ResetIncarnation()
    {
        _timers?.CancelAll();
        _pendingAsync = null;
        _pendingAsyncMessage = null;
        _hasCurrentMessage = false;
        _currentMessage = null;
        _incarnation++;
        _syncContext = new ActorSynchronizationContext(this, _incarnation);
    }

    private void BeginTerminate()
    {
        if (_terminating)
        {
            return;
        }

        lock (_childrenLock)
        {
            _terminating = true;
        }

        ResetIncarnation();
        _pendingRestartCause = null;
        CancelRestartTimer();
        if (!StopAllChildren())
        {
            FinishTerminate();
        }
    }

    private void FinishTerminate()
    {
        var actor = _actor;
        _actor = null;
        if (actor is not null)
        {
            try
            {
                actor.InvokePostStop();
            }
            catch (Exception ex)
            {
                System.KernelLog.LogError(ex, "PostStop of {ActorPath} failed", Path.ToString());
            }
        }

        // PostStop may have started a timer; left running it would tick at a dead actor forever.
        _timers?.CancelAll();
        _terminated = true;
        System.EventStream.Unsubscribe(Self);
        UnwatchAllOnStop();
        NotifyWatchers();
        if (_parent is null)
        {
            System.OnGuardianTerminated();
        }
        else
        {
            _parent.SendSystem(new SystemMessage.ChildTerminated(Self));
        }

        if (_stash is not null)
        {
            foreach (var envelope in _stash.TakeAll())
            {
                System.PublishDeadLetter(envelope.Message, envelope.Sender, Self);
            }
        }

        DrainToDeadLetters();
    }
}
