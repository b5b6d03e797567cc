using Akka.Actor;

namespace MaintenanceActors.Failover;

/// <summary>The static provider: registers a fixed list of endpoints (source <c>static</c>) once, and says when the registry took them all.</summary>
internal sealed class StaticProviderActor : ReceiveActor
{
    public const string Source = "static";

    private readonly IActorRef _registry;
    private readonly IReadOnlyList<ServiceEndpoint> _endpoints;
    private readonly TaskCompletionSource _ready;
    private int _pending;

    public StaticProviderActor(IActorRef registry, IReadOnlyList<ServiceEndpoint> endpoints, TaskCompletionSource ready)
    {
        _registry = registry;
        _endpoints = endpoints;
        _ready = ready;
        _pending = endpoints.Count;
        Receive<EndpointAccepted>(_ => Answered());
        Receive<EndpointRejected>(r =>
        {
            _ready.TrySetException(new FailoverValidationException($"Failover:Static: {r.Reason}"));
        });
    }

    public static Props Props(IActorRef registry, IReadOnlyList<ServiceEndpoint> endpoints, TaskCompletionSource ready) =>
        Akka.Actor.Props.Create(() => new StaticProviderActor(registry, endpoints, ready));

    protected override void PreStart()
    {
        foreach (var endpoint in _endpoints)
        {
            _registry.Tell(new RegisterEndpoint(endpoint, Source));
        }
        if (_pending == 0) _ready.TrySetResult();
    }

    private void Answered()
    {
        if (--_pending == 0) _ready.TrySetResult();
    }
}
