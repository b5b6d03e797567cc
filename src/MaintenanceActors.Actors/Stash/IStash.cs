namespace MaintenanceActors.Actors;

/// <summary>Marks an actor that needs a stash; the kernel sets <see cref="Stash"/> before PreStart.</summary>
public interface IWithStash
{
    /// <summary>The actor's stash, injected by the kernel.</summary>
    IStash Stash { get; set; }
}

/// <summary>Puts messages aside to process them later (typically after a Become).</summary>
public interface IStash
{
    /// <summary>Stashes the message being processed.</summary>
    void Stash();

    /// <summary>Returns the oldest stashed message to the front of the mailbox.</summary>
    void Unstash();

    /// <summary>Returns all stashed messages, in order, to the front of the mailbox.</summary>
    void UnstashAll();

    /// <summary>Drops and returns the stashed messages.</summary>
    IReadOnlyList<object> ClearStash();
}
