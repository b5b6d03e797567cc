namespace MaintenanceActors.Actors;

/// <summary>Marks an actor that uses timers; the kernel sets <see cref="Timers"/> before PreStart.</summary>
public interface IWithTimers
{
    /// <summary>The actor's timers, injected by the kernel; cancelled on stop and restart.</summary>
    ITimerScheduler Timers { get; set; }
}

/// <summary>Keyed timers that send a message to the actor itself, on the system's TimeProvider.</summary>
public interface ITimerScheduler
{
    /// <summary>Sends <paramref name="message"/> once after <paramref name="timeout"/>; replaces a timer with the same key.</summary>
    void StartSingleTimer(object key, object message, TimeSpan timeout);

    /// <summary>Sends <paramref name="message"/> every <paramref name="interval"/>; replaces a timer with the same key.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan interval);

    /// <summary>Sends <paramref name="message"/> after <paramref name="initialDelay"/>, then every <paramref name="interval"/>.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval);

    /// <summary>True while the timer is scheduled (a fired single timer is active until its message is processed).</summary>
    bool IsTimerActive(object key);

    /// <summary>Cancels the timer; a message of it already queued is not delivered.</summary>
    void Cancel(object key);

    /// <summary>Cancels every timer.</summary>
    void CancelAll();
}
