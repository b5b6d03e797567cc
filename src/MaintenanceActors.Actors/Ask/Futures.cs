using MaintenanceActors.Actors.Ask;
using MaintenanceActors.Actors.Dispatch;

namespace MaintenanceActors.Actors;

/// <summary>Request-reply with actors: Ask returns a task completed by the first reply.</summary>
public static class Futures
{
    private static readonly TimeSpan FallbackTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The longest delay a timer accepts (2^32 - 2 ms, about 49 days).</summary>
    internal static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>Sends <paramref name="message"/> and awaits a reply of type <typeparamref name="T"/> (Status.Failure faults the task).</summary>
    public static Task<T> Ask<T>(this IActorRef target, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return AskCore<T>(target, message, null, timeout, cancellationToken);
    }

    /// <summary>Builds the message with the temporary reply-to reference and awaits a reply of type <typeparamref name="T"/>.</summary>
    public static Task<T> Ask<T>(this IActorRef target, Func<IActorRef, object> messageFactory, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageFactory);
        return AskCore<T>(target, null, messageFactory, timeout, cancellationToken);
    }

    private static Task<T> AskCore<T>(IActorRef target, object? fixedMessage, Func<IActorRef, object>? messageFactory, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var system = (target as ISystemBoundRef)?.System;
        var effective = timeout ?? system?.Options.DefaultAskTimeout ?? FallbackTimeout;
        if ((effective <= TimeSpan.Zero || effective > MaxTimerDelay) && effective != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), effective,
                $"Ask timeout to {target.Path} must be positive and at most {Math.Floor(MaxTimerDelay.TotalDays)} days, or Timeout.InfiniteTimeSpan (was {effective}).");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var promise = new PromiseActorRef<T>(target, effective, system);
        var message = fixedMessage ?? messageFactory!(promise) ?? throw new ArgumentException("The message factory returned null.", nameof(messageFactory));
        promise.MessageType = message.GetType();
        if (target is LocalActorRef { IsTerminated: true })
        {
            promise.TargetTerminated(target);
            return promise.Task;
        }

        promise.Start(system?.TimeProvider ?? TimeProvider.System, cancellationToken);
        target.Tell(message, promise);
        return promise.Task;
    }
}
