namespace MaintenanceActors.Actors.Dispatch;

/// <summary>Kernel-to-kernel messages; processed before any user message, even while the actor is suspended.</summary>
internal abstract class SystemMessage
{
    public sealed class Create : SystemMessage
    {
        public static readonly Create Instance = new();
    }

    public sealed class Terminate : SystemMessage
    {
        public static readonly Terminate Instance = new();
    }

    public sealed class Recreate(Exception cause, TimeSpan delay) : SystemMessage
    {
        public Exception Cause { get; } = cause;

        /// <summary>Backoff: the failed instance is stopped at once, the new one created after this delay.</summary>
        public TimeSpan Delay { get; } = delay;
    }

    public sealed class RestartDue(int incarnation) : SystemMessage
    {
        public int Incarnation { get; } = incarnation;
    }

    public sealed class Resume : SystemMessage
    {
        public static readonly Resume Instance = new();
    }

    public sealed class Failed(LocalActorRef child, Exception cause) : SystemMessage
    {
        public LocalActorRef Child { get; } = child;

        public Exception Cause { get; } = cause;
    }

    public sealed class ChildTerminated(LocalActorRef child) : SystemMessage
    {
        public LocalActorRef Child { get; } = child;
    }

    public sealed class Watch(IActorRef watcher) : SystemMessage
    {
        public IActorRef Watcher { get; } = watcher;
    }

    public sealed class Unwatch(IActorRef watcher) : SystemMessage
    {
        public IActorRef Watcher { get; } = watcher;
    }

    public sealed class AsyncCompleted(Task task) : SystemMessage
    {
        public Task Task { get; } = task;
    }

    public sealed class RunContinuation(SendOrPostCallback callback, object? state, int incarnation) : SystemMessage
    {
        public SendOrPostCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public int Incarnation { get; } = incarnation;
    }
}
