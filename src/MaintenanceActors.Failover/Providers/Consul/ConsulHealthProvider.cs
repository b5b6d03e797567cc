using System.Globalization;
using System.Net.Http.Json;
using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Failover.Providers;

/// <summary>
/// Feeds the registry from Consul's health API over HttpClient: per service a blocking query on
/// <c>/v1/health/service/{name}?index=…&amp;wait=…</c> that returns when the service's instances or checks change. Each instance
/// is the endpoint <c>{name}/{Service.ID}</c> at <c>Service.Address</c> (or the node's address) and <c>Service.Port</c>; an
/// instance with a failing (critical) check is deregistered; one that <c>consul maint</c> put in maintenance (a critical
/// <c>_service_maintenance:</c> or <c>_node_maintenance</c> check) stays registered but in maintenance, with the reason given.
/// </summary>
internal sealed class ConsulHealthProvider : ReceiveActor, IWithTimers
{
    private readonly IActorRef _registry;
    private readonly ConsulHealthOptions _options;
    private readonly HttpClient _http;
    private readonly Dictionary<string, ServiceState> _services = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();

    public ConsulHealthProvider(IActorRef registry, ConsulHealthOptions options, HttpClient http)
    {
        _registry = registry;
        _options = options;
        _http = http;
        Receive<Poll>(m => PollNow(m.Service));
        Receive<Polled>(OnPolled);
        Receive<PollFailed>(OnFailed);
        ReceiveAny(_ => { });
    }

    public static Props Props(IActorRef registry, ConsulHealthOptions options, HttpClient http) =>
        Akka.Actor.Props.Create(() => new ConsulHealthProvider(registry, options, http));

    public ITimerScheduler Timers { get; set; } = null!;

    private ILogger Log => _log ??= Context.System.LoggerFor(GetType());
    private ILogger? _log;

    protected override void PreStart()
    {
        foreach (var service in _options.Services)
        {
            _services[service] = new ServiceState();
            Self.Tell(new Poll(service), Self);
        }
    }

    protected override void PostStop() => _stop.Cancel();

    private void PollNow(string service)
    {
        var index = _services[service].Index;
        var url = $"{_options.Address.TrimEnd('/')}/v1/health/service/{Uri.EscapeDataString(service)}?index={index}&wait={(int)_options.Wait.TotalSeconds}s"
            + (_options.Datacenter is { } dc ? $"&dc={Uri.EscapeDataString(dc)}" : "");
        var self = Self;
        var token = _stop.Token;
        var http = _http;
        var consulToken = _options.Token;
        Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (consulToken is not null) request.Headers.Add("X-Consul-Token", consulToken);
            using var response = await http.SendAsync(request, token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"Consul answered {(int)response.StatusCode} {response.ReasonPhrase}: {await response.Content.ReadAsStringAsync(token).ConfigureAwait(false)}");
            }
            var entries = await response.Content.ReadFromJsonAsync<ConsulHealthEntry[]>(ConsulHealthEntry.Json, token).ConfigureAwait(false) ?? [];
            var next = response.Headers.TryGetValues("X-Consul-Index", out var values)
                && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
            return (entries, next);
        }, token).PipeTo(self, self,
            success: r => new Polled(service, r.entries, r.next),
            failure: ex => new PollFailed(service, ex));
    }

    private void OnPolled(Polled polled)
    {
        var state = _services[polled.Service];
        if (state.Attempt > 0)
        {
            Log.LogInformation("Consul answers again for {Service}", polled.Service);
        }
        state.Attempt = 0;
        // Consul's rules: an index that went backwards (or is 0) starts over from 0; never block on the same index forever.
        state.Index = polled.Index <= 0 || polled.Index < state.Index ? 0 : polled.Index;
        Reconcile(polled.Service, state, polled.Entries);
        Self.Tell(new Poll(polled.Service), Self);
    }

    private void OnFailed(PollFailed failed)
    {
        if (_stop.IsCancellationRequested) return;
        var state = _services[failed.Service];
        var exponent = Math.Min(state.Attempt++, 20);
        var baseMs = Math.Min(_options.ReconnectMaxBackoff.TotalMilliseconds, _options.ReconnectMinBackoff.TotalMilliseconds * Math.Pow(2, exponent));
        var delay = TimeSpan.FromMilliseconds(Math.Max(1, baseMs * (0.8 + 0.4 * Random.Shared.NextDouble())));
        var error = failed.Error is AggregateException { InnerException: { } inner } ? inner : failed.Error;
        Log.Log(state.Attempt == 1 || state.Attempt % 10 == 0 ? LogLevel.Warning : LogLevel.Debug,
            "Consul health query for {Service} failed ({Error}); asking again in {Delay}, keeping the endpoints as they are", failed.Service, error.Message, delay);
        state.Index = 0;
        Timers.StartSingleTimer(failed.Service, new Poll(failed.Service), delay);
    }

    private void Reconcile(string service, ServiceState state, IReadOnlyList<ConsulHealthEntry> entries)
    {
        var now = Context.System.Clock().GetUtcNow();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var id = $"{service}/{entry.Service.ID}";
            if (entry.Failing)
            {
                continue;
            }
            seen.Add(id);
            var endpoint = new ServiceEndpoint(id, service, string.IsNullOrEmpty(entry.Service.Address) ? entry.Node.Address : entry.Service.Address, entry.Service.Port)
            {
                Protocol = _options.Protocol,
                Weight = entry.Service.Weights?.Passing ?? 1,
                Tags = entry.Service.Tags ?? [],
                Metadata = new Dictionary<string, string>(entry.Service.Meta ?? new Dictionary<string, string>()) { ["node"] = entry.Node.Node },
                Region = entry.Node.Datacenter,
                CreatedAt = state.Registered.TryGetValue(id, out var old) ? old.Endpoint.CreatedAt : now,
                UpdatedAt = now,
            };
            var maintenance = entry.Maintenance;
            if (old is null)
            {
                _registry.Tell(new RegisterEndpoint(endpoint, ProviderSources.Consul), Self);
                Log.LogInformation("Registered {Id} at {Address}:{Port} from Consul", id, endpoint.Address, endpoint.Port);
            }
            else if (old.Endpoint.Address != endpoint.Address || old.Endpoint.Port != endpoint.Port || old.Endpoint.Weight != endpoint.Weight)
            {
                _registry.Tell(new UpdateEndpoint(endpoint, ProviderSources.Consul), Self);
            }
            // Told only when Consul's own maintenance flag changes, so it does not undo a maintenance key set elsewhere.
            var inMaintenance = maintenance is not null;
            if (inMaintenance != (old?.InMaintenance ?? false))
            {
                _registry.Tell(new SetEndpointMaintenance(id, inMaintenance, maintenance?.Notes ?? (inMaintenance ? "consul maint" : null), ProviderSources.Consul), Self);
                Log.LogInformation("{Id} {State} maintenance in Consul ({Reason})", id, inMaintenance ? "entered" : "left", maintenance?.Notes ?? "no reason");
            }
            state.Registered[id] = new Known(endpoint, inMaintenance);
        }
        foreach (var (id, known) in state.Registered.Where(kv => !seen.Contains(kv.Key)).ToArray())
        {
            state.Registered.Remove(id);
            _registry.Tell(new DeregisterEndpoint(id, ProviderSources.Consul), Self);
            if (known.InMaintenance)
            {
                _registry.Tell(new SetEndpointMaintenance(id, false, null, ProviderSources.Consul), Self);
            }
            Log.LogInformation("Deregistered {Id}: failing or gone in Consul", id);
        }
    }

    private sealed class ServiceState
    {
        public long Index;
        public int Attempt;
        public readonly Dictionary<string, Known> Registered = new(StringComparer.Ordinal);
    }

    private sealed record Known(ServiceEndpoint Endpoint, bool InMaintenance);
    private sealed record Poll(string Service);
    private sealed record Polled(string Service, IReadOnlyList<ConsulHealthEntry> Entries, long Index);
    private sealed record PollFailed(string Service, Exception Error);
}
