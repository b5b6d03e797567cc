using MaintenanceActors.Actors.Dispatch;

namespace MaintenanceActors.Actors.Ask;

/// <summary>Lets the kernel fail an Ask at once when its message reaches a dead actor.</summary>
internal interface IAskPromise
{
    void TargetTerminated(IActorRef recipient);
}

/// <summary>A one-shot temporary reference that completes an Ask with the first reply it receives.</summary>
internal sealed class PromiseActorRef<T> : TaskCompletionSource<T>, IActorRef, IAskPromise
{
    private static readonly ActorPath TempRoot = ActorPath.Root("temp");
    private static long s_counter;

    private readonly IActorRef _target;
    private readonly TimeSpan _timeout;
    private readonly ActorSystem? _system;
    private ActorPath? _path;
    private ITimer? _timer;
    private CancellationTokenRegistration _cancellation;

    public PromiseActorRef(IActorRef target, TimeSpan timeout, ActorSystem? system)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _target = target;
        _timeout = timeout;
        _system = system;
    }

    public Type? MessageType { get; set; }

    public ActorPath Path => _path ??= TempRoot.Child("$" + Interlocked.Increment(ref s_counter).ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Start(TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (_timeout != Timeout.InfiniteTimeSpan)
        {
            _timer = timeProvider.CreateTimer(static s => ((PromiseActorRef<T>)s!).OnTimeout(), this, _timeout, Timeout.InfiniteTimeSpan);
        }

        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.Register(static (s, ct) => ((PromiseActorRef<T>)s!).OnCancelled(ct), this);
        }
    }

    public void Tell(object message, IActorRef? sender)
    {
        if (Task.IsCompleted)
        {
            // Timed out, cancelled or already answered: the reply is lost, which is worth seeing when chasing a timeout.
            _system?.PublishDeadLetter(message, sender ?? ActorRefs.NoSender, this);
            return;
        }

        switch (message)
        {
            // Checked before "case T": Ask<object> would otherwise complete successfully with the failure as its value.
            case Status.Failure failure when typeof(T) != typeof(Status.Failure):
                TrySetException(failure.Cause);
                break;
            case T reply:
                TrySetResult(reply);
                break;
            case Status.Success { Status: T value }:
                TrySetResult(value);
                break;
            default:
                TrySetException(new InvalidCastException(
                    $"Ask to {_target.Path} with {MessageType?.Name} expected a reply of type {typeof(T).FullName} but got {message?.GetType().FullName ?? "null"}."));
                break;
        }

        Cleanup();
    }

    public void TargetTerminated(IActorRef recipient)
    {
        TrySetException(new AskTimeoutException(
            $"Ask to {recipient.Path} with message of type {MessageType?.FullName} failed: the target actor is terminated."));
        Cleanup();
    }

    public bool Equals(IActorRef? other) => ReferenceEquals(this, other);

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);

    public override string ToString() => Path.ToString();

    private void OnTimeout()
    {
        TrySetException(new AskTimeoutException(
            $"Ask to {_target.Path} with message of type {MessageType?.FullName} timed out after {_timeout}."));
        Cleanup();
    }

    private void OnCancelled(CancellationToken token)
    {
        TrySetCanceled(token);
        Cleanup();
    }

    private void Cleanup()
    {
        Interlocked.Exchange(ref _timer, null)?.Dispose();
        _cancellation.Dispose();
    }
}
