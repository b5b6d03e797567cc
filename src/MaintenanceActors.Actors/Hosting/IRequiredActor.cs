namespace MaintenanceActors.Actors.Hosting;

/// <summary>Injectable access to the actor registered under <typeparamref name="TKey"/>.</summary>
public interface IRequiredActor<TKey>
{
    /// <summary>The registered actor; throws when it is not registered yet.</summary>
    IActorRef ActorRef { get; }

    /// <summary>Waits until the actor is registered.</summary>
    Task<IActorRef> GetAsync(CancellationToken ct = default);
}

internal sealed class RequiredActor<TKey>(ActorRegistry registry) : IRequiredActor<TKey>
{
    public IActorRef ActorRef => registry.Get<TKey>();

    public Task<IActorRef> GetAsync(CancellationToken ct = default) => registry.GetAsync<TKey>(ct);
}
