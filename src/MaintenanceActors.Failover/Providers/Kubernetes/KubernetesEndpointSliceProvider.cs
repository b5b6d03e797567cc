using Akka.Actor;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Failover.Providers;

/// <summary>
/// Feeds the registry from Kubernetes EndpointSlices (<c>discovery.k8s.io/v1</c>): per service it lists the slices labelled
/// <c>kubernetes.io/service-name={service}</c>, then watches from the list's resourceVersion. Every address whose
/// <c>conditions.ready</c> is true (or unset, which the API defines as ready) is an endpoint <c>{service}/{pod}</c> (the
/// target's name, or the address when there is none); one that turns not ready, terminates or vanishes is deregistered.
/// </summary>
/// <remarks>After a failed or ended watch it lists again (backoff with jitter) and reconciles, so nothing missed stays.</remarks>
internal sealed class KubernetesEndpointSliceProvider : ReceiveActor, IWithTimers
{
    private readonly IActorRef _registry;
    private readonly KubernetesEndpointSliceOptions _options;
    private readonly IKubernetes _client;
    private readonly Dictionary<string, ServiceState> _services = new(StringComparer.Ordinal);

    public KubernetesEndpointSliceProvider(IActorRef registry, KubernetesEndpointSliceOptions options, IKubernetes client)
    {
        _registry = registry;
        _options = options;
        _client = client;
        Receive<Start>(m => Connect(m.Service));
        Receive<Listed>(OnListed, m => m.Generation == _services[m.Service].Generation);
        Receive<SliceChanged>(OnSliceChanged, m => m.Generation == _services[m.Service].Generation);
        Receive<WatchEnded>(OnWatchEnded, m => m.Generation == _services[m.Service].Generation);
        Receive<Listed>(_ => { });
        Receive<SliceChanged>(_ => { });
        Receive<WatchEnded>(_ => { });
        ReceiveAny(_ => { });
    }

    public static Props Props(IActorRef registry, KubernetesEndpointSliceOptions options, IKubernetes client) =>
        Akka.Actor.Props.Create(() => new KubernetesEndpointSliceProvider(registry, options, client));

    public ITimerScheduler Timers { get; set; } = null!;

    private ILogger Log => _log ??= Context.System.LoggerFor(GetType());
    private ILogger? _log;

    protected override void PreStart()
    {
        foreach (var service in _options.Services)
        {
            _services[service] = new ServiceState();
            Self.Tell(new Start(service), Self);
        }
    }

    protected override void PostStop()
    {
        foreach (var state in _services.Values)
        {
            state.Connection?.Cancel();
        }
    }

    private string Selector(string service) => $"kubernetes.io/service-name={service}";

    private void Connect(string service)
    {
        var state = _services[service];
        var generation = ++state.Generation;
        state.Connection?.Cancel();
        state.Connection = new CancellationTokenSource();
        var token = state.Connection.Token;
        var self = Self;
        _client.DiscoveryV1.ListNamespacedEndpointSliceAsync(_options.Namespace, labelSelector: Selector(service), cancellationToken: token)
            .PipeTo(self, self,
                success: list => new Listed(service, generation, list),
                failure: ex => new WatchEnded(service, generation, ex));
    }

    private void OnListed(Listed listed)
    {
        var state = _services[listed.Service];
        state.Slices.Clear();
        foreach (var slice in listed.List.Items ?? [])
        {
            state.Slices[slice.Metadata?.Name ?? ""] = slice;
        }
        Reconcile(listed.Service, state);
        if (state.Attempt > 0)
        {
            Log.LogInformation("Kubernetes EndpointSlices of {Service} listed again ({Count} slices)", listed.Service, state.Slices.Count);
        }
        state.Attempt = 0;
        Watch(listed.Service, listed.Generation, listed.List.Metadata?.ResourceVersion, state.Connection!.Token);
    }

    private void Watch(string service, int generation, string? resourceVersion, CancellationToken token)
    {
        var self = Self;
        var client = _client;
        var ns = _options.Namespace;
        var selector = Selector(service);
        _ = Task.Run(async () =>
        {
            Exception? error = null;
            try
            {
                await foreach (var (type, slice) in client.DiscoveryV1.WatchListNamespacedEndpointSliceAsync(ns, labelSelector: selector,
                    resourceVersion: resourceVersion, allowWatchBookmarks: true, onError: ex => error ??= ex, cancellationToken: token).ConfigureAwait(false))
                {
                    self.Tell(new SliceChanged(service, generation, type, slice), self);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                error = ex;
            }
            if (!token.IsCancellationRequested)
            {
                self.Tell(new WatchEnded(service, generation, error), self);
            }
        }, CancellationToken.None);
    }

    private void OnSliceChanged(SliceChanged change)
    {
        var state = _services[change.Service];
        var name = change.Slice?.Metadata?.Name ?? "";
        switch (change.Type)
        {
            case WatchEventType.Added:
            case WatchEventType.Modified:
                state.Slices[name] = change.Slice!;
                break;
            case WatchEventType.Deleted:
                state.Slices.Remove(name);
                break;
            default:
                return; // bookmarks and errors change no endpoint
        }
        Reconcile(change.Service, state);
    }

    private void OnWatchEnded(WatchEnded ended)
    {
        var state = _services[ended.Service];
        state.Generation++;
        state.Connection?.Cancel();
        var exponent = Math.Min(state.Attempt++, 20);
        var baseMs = Math.Min(_options.ReconnectMaxBackoff.TotalMilliseconds, _options.ReconnectMinBackoff.TotalMilliseconds * Math.Pow(2, exponent));
        var delay = TimeSpan.FromMilliseconds(Math.Max(1, baseMs * (0.8 + 0.4 * Random.Shared.NextDouble())));
        if (ended.Error is not null)
        {
            Log.Log(state.Attempt == 1 || state.Attempt % 10 == 0 ? LogLevel.Warning : LogLevel.Debug,
                "Watch of the EndpointSlices of {Service} failed ({Error}); listing again in {Delay}, keeping the endpoints as they are",
                ended.Service, ended.Error.Message, delay);
        }
        // A watch the API server ended on its own (its timeout) is listed again at once.
        Timers.StartSingleTimer(ended.Service, new Start(ended.Service), ended.Error is null ? TimeSpan.FromMilliseconds(1) : delay);
    }

    private void Reconcile(string service, ServiceState state)
    {
        var now = Context.System.Clock().GetUtcNow();
        var wanted = new Dictionary<string, ServiceEndpoint>(StringComparer.Ordinal);
        foreach (var slice in state.Slices.Values)
        {
            var port = (_options.PortName is null ? slice.Ports?.FirstOrDefault() : slice.Ports?.FirstOrDefault(p => p.Name == _options.PortName))?.Port;
            if (port is not { } number)
            {
                continue;
            }
            foreach (var endpoint in slice.Endpoints ?? [])
            {
                // The API: ready unset means ready; a terminating endpoint is not ready.
                if (endpoint.Conditions?.Ready == false || endpoint.Conditions?.Terminating == true || endpoint.Addresses is not { Count: > 0 } addresses)
                {
                    continue;
                }
                var instance = endpoint.TargetRef?.Name ?? addresses[0];
                var id = $"{service}/{instance}";
                var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["slice"] = slice.Metadata?.Name ?? "" };
                if (endpoint.NodeName is { } node) metadata["node"] = node;
                wanted[id] = new ServiceEndpoint(id, service, addresses[0], number)
                {
                    Protocol = _options.Protocol,
                    Region = endpoint.Zone,
                    Metadata = metadata,
                    CreatedAt = state.Registered.TryGetValue(id, out var old) ? old.CreatedAt : now,
                    UpdatedAt = now,
                };
            }
        }
        foreach (var (id, endpoint) in wanted)
        {
            if (!state.Registered.TryGetValue(id, out var before))
            {
                _registry.Tell(new RegisterEndpoint(endpoint, ProviderSources.Kubernetes), Self);
                Log.LogInformation("Registered {Id} at {Address}:{Port} from Kubernetes", id, endpoint.Address, endpoint.Port);
            }
            else if (before.Address != endpoint.Address || before.Port != endpoint.Port || before.Region != endpoint.Region)
            {
                _registry.Tell(new UpdateEndpoint(endpoint, ProviderSources.Kubernetes), Self);
            }
            else
            {
                continue;
            }
            state.Registered[id] = endpoint;
        }
        foreach (var id in state.Registered.Keys.Where(id => !wanted.ContainsKey(id)).ToArray())
        {
            state.Registered.Remove(id);
            _registry.Tell(new DeregisterEndpoint(id, ProviderSources.Kubernetes), Self);
            Log.LogInformation("Deregistered {Id}: not ready or gone in Kubernetes", id);
        }
    }

    private sealed class ServiceState
    {
        public int Generation;
        public int Attempt;
        public CancellationTokenSource? Connection;
        public readonly Dictionary<string, V1EndpointSlice> Slices = new(StringComparer.Ordinal);
        public readonly Dictionary<string, ServiceEndpoint> Registered = new(StringComparer.Ordinal);
    }

    private sealed record Start(string Service);
    private sealed record Listed(string Service, int Generation, V1EndpointSliceList List);
    private sealed record SliceChanged(string Service, int Generation, WatchEventType Type, V1EndpointSlice? Slice);
    private sealed record WatchEnded(string Service, int Generation, Exception? Error);
}
