namespace MaintenanceActors.Actors;

/// <summary>Sends a task's outcome to an actor as a message (the way to bring async results back into an actor).</summary>
public static class PipeToSupport
{
    /// <summary>On completion sends the result (or <paramref name="success"/>(result)); on fault sends Status.Failure (or <paramref name="failure"/>(exception)).</summary>
    public static async Task PipeTo<T>(this Task<T> task, IActorRef recipient, IActorRef? sender = null, Func<T, object>? success = null, Func<Exception, object>? failure = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(recipient);
        sender ??= ActorRefs.NoSender;
        T result;
        try
        {
            result = await task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recipient.Tell(failure is null ? new Status.Failure(ex) : failure(ex), sender);
            return;
        }

        recipient.Tell(success is null ? result! : success(result), sender);
    }

    /// <summary>On completion sends <paramref name="success"/>() (default Status.Success(null)); on fault sends Status.Failure (or <paramref name="failure"/>(exception)).</summary>
    public static async Task PipeTo(this Task task, IActorRef recipient, IActorRef? sender = null, Func<object>? success = null, Func<Exception, object>? failure = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(recipient);
        sender ??= ActorRefs.NoSender;
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            recipient.Tell(failure is null ? new Status.Failure(ex) : failure(ex), sender);
            return;
        }

        recipient.Tell(success is null ? new Status.Success(null) : success(), sender);
    }
}
