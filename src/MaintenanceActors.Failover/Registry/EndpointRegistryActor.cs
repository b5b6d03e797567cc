using Akka.Actor;
using Akka.Event;

namespace MaintenanceActors.Failover;

/// <summary>
/// Owns the endpoints: registration from providers, health from its health-check children, maintenance flags, settings
/// and the event ring. Every change to a service's membership publishes a new view in the <see cref="EndpointDirectory"/>,
/// which callers select from without asking this actor.
/// </summary>
internal sealed class EndpointRegistryActor : ReceiveActor
{
    private readonly EndpointDirectory _directory;
    private readonly HealthProbes _probes;
    private readonly Dictionary<string, EndpointEntry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _checkers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (bool On, string? Reason)> _endpointMaintenance = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (bool On, string? Reason)> _serviceMaintenance = new(StringComparer.Ordinal);
    private readonly EventRing _events;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private int _checkerGeneration;

    public EndpointRegistryActor(EndpointDirectory directory)
    {
        _directory = directory;
        // Owned by this incarnation (disposed in PostStop, which a restart runs too).
        _probes = new HealthProbes(directory.Time);
        _events = new EventRing(directory.Options.EventCapacity);

        Receive<RegisterEndpoint>(m => Upsert(m.Endpoint, m.Source));
        Receive<UpdateEndpoint>(m => Upsert(m.Endpoint, m.Source));
        Receive<DeregisterEndpoint>(Deregister);
        Receive<SetEndpointMaintenance>(SetMaintenance);
        Receive<SetServiceMaintenance>(SetMaintenance);
        Receive<GetEndpoint>(m => Sender.Tell(_entries.TryGetValue(m.Id, out var e) ? e.Snapshot() : new EndpointNotFound(m.Id)));
        Receive<ListEndpoints>(m => Sender.Tell(_entries.Values
            .Where(e => m.Name is null || e.Endpoint.Name == m.Name)
            .OrderBy(e => e.Id, StringComparer.Ordinal)
            .Select(e => e.Snapshot())
            .ToArray() as IReadOnlyList<EndpointSnapshot>));
        Receive<Configure>(ApplyConfig);
        Receive<GetConfig>(_ => Sender.Tell(_directory.Options));
        Receive<HealthCheck>(CheckNow);
        Receive<HealthCheckAll>(_ => CheckAll());
        Receive<EndpointHealthReport>(OnHealthReport);
        Receive<GetStats>(_ => Sender.Tell(Stats()));
        Receive<GetEvents>(m => Sender.Tell(_events.Latest(m.Limit)));
        Receive<CircuitTransitioned>(OnCircuit);
        Receive<FailedOverNote>(m => Record(FailoverEventKind.FailedOver, m.FromId, m.ServiceName, $"attempt {m.Attempt} moves from {m.FromId} after: {m.Reason}"));
    }

    public static Props Props(EndpointDirectory directory) =>
        Akka.Actor.Props.Create(() => new EndpointRegistryActor(directory));

    private void Upsert(ServiceEndpoint endpoint, string source)
    {
        if (endpoint?.Validate() is { } error || endpoint is null)
        {
            var reason = endpoint is null ? "Endpoint must not be null" : endpoint.Validate()!;
            _log.Warning("Endpoint rejected from {0}: {1}", source, reason);
            Reply(new EndpointRejected(endpoint?.Id, reason));
            return;
        }
        var now = _directory.Time.GetUtcNow();
        if (_entries.TryGetValue(endpoint.Id, out var entry))
        {
            var old = entry.Endpoint;
            var updated = endpoint with
            {
                CreatedAt = old.CreatedAt,
                UpdatedAt = endpoint.UpdatedAt == default ? now : endpoint.UpdatedAt,
            };
            entry.Endpoint = updated;
            entry.Source = source;
            if (old.Name != updated.Name)
            {
                Publish(old.Name);
            }
            if (old.HealthCheck != updated.HealthCheck || old.Address != updated.Address || old.Port != updated.Port || old.Protocol != updated.Protocol)
            {
                RestartChecker(entry);
            }
            ApplyMaintenance(entry);
            Publish(updated.Name);
            Record(FailoverEventKind.Updated, updated.Id, updated.Name, $"updated by {source}");
        }
        else
        {
            var stamped = endpoint with
            {
                CreatedAt = endpoint.CreatedAt == default ? now : endpoint.CreatedAt,
                UpdatedAt = endpoint.UpdatedAt == default ? now : endpoint.UpdatedAt,
            };
            var self = Self;
            var breaker = new EndpointCircuitBreaker(_directory.Options.CircuitBreaker, _directory.Time, null);
            entry = new EndpointEntry(stamped, source, breaker);
            var created = entry;
            breaker.Transitioned = (_, state) =>
            {
                created.CircuitChanged();
                self.Tell(new CircuitTransitioned(stamped.Id, state));
            };
            _entries[stamped.Id] = entry;
            ApplyMaintenance(entry);
            RestartChecker(entry);
            Publish(stamped.Name);
            Record(FailoverEventKind.Registered, stamped.Id, stamped.Name, $"registered by {source} at {stamped.Address}:{stamped.Port}");
        }
        Reply(new EndpointAccepted(endpoint.Id));
    }

    private void Deregister(DeregisterEndpoint m)
    {
        if (!_entries.TryGetValue(m.Id, out var entry) || entry.Source != m.Source)
        {
            Reply(new EndpointRemoved(m.Id, false));
            return;
        }
        _entries.Remove(m.Id);
        entry.Removed = true;
        StopChecker(m.Id);
        Publish(entry.Endpoint.Name);
        Record(FailoverEventKind.Deregistered, m.Id, entry.Endpoint.Name, $"deregistered by {m.Source}");
        Reply(new EndpointRemoved(m.Id, true));
    }

    private void SetMaintenance(SetEndpointMaintenance m)
    {
        _endpointMaintenance[m.Id] = (m.InMaintenance, m.Reason);
        if (!m.InMaintenance) _endpointMaintenance.Remove(m.Id);
        if (_entries.TryGetValue(m.Id, out var entry))
        {
            ApplyMaintenance(entry);
        }
        Reply(new MaintenanceApplied(m.Id, m.InMaintenance));
    }

    private void SetMaintenance(SetServiceMaintenance m)
    {
        _serviceMaintenance[m.ServiceName] = (m.InMaintenance, m.Reason);
        if (!m.InMaintenance) _serviceMaintenance.Remove(m.ServiceName);
        foreach (var entry in _entries.Values.Where(e => e.Endpoint.Name == m.ServiceName))
        {
            ApplyMaintenance(entry);
        }
        Reply(new MaintenanceApplied(m.ServiceName, m.InMaintenance));
    }

    private void ApplyMaintenance(EndpointEntry entry)
    {
        var own = _endpointMaintenance.GetValueOrDefault(entry.Id);
        var service = _serviceMaintenance.GetValueOrDefault(entry.Endpoint.Name);
        var on = own.On || service.On;
        var reason = own.On ? own.Reason ?? "instance in maintenance" : service.On ? service.Reason ?? "service in maintenance" : null;
        if (on == entry.InMaintenance && reason == entry.MaintenanceReason) return;
        var was = entry.InMaintenance;
        entry.SetMaintenance(on, reason);
        if (was != on)
        {
            _log.Info("Endpoint {0} {1} maintenance{2}", entry.Id, on ? "enters" : "leaves", on ? $": {reason}" : "");
            Record(FailoverEventKind.MaintenanceChanged, entry.Id, entry.Endpoint.Name, on ? $"in maintenance: {reason}" : "out of maintenance");
        }
    }

    private void ApplyConfig(Configure m)
    {
        if (m.Options?.Validate() is { } error || m.Options is null)
        {
            Reply(new ConfigRejected(m.Options is null ? "Options must not be null" : m.Options.Validate()!));
            return;
        }
        _directory.Options = m.Options;
        foreach (var entry in _entries.Values)
        {
            entry.Breaker.Options = m.Options.CircuitBreaker;
        }
        _events.Resize(m.Options.EventCapacity);
        Record(FailoverEventKind.ConfigChanged, null, null, $"strategy {m.Options.Strategy}, algorithm {m.Options.Algorithm?.ToString() ?? "(strategy's)"}, retries {m.Options.Retry.MaxRetries}");
        Reply(new ConfigApplied(m.Options));
    }

    private void CheckNow(HealthCheck m)
    {
        if (_checkers.TryGetValue(m.Id, out var checker))
        {
            checker.Forward(m);
        }
        else if (_entries.ContainsKey(m.Id))
        {
            Sender.Tell(new EndpointHealthReport(m.Id, EndpointHealth.Unknown, "no health check configured", TimeSpan.Zero, _directory.Time.GetUtcNow()));
        }
        else
        {
            Sender.Tell(new EndpointNotFound(m.Id));
        }
    }

    private void CheckAll()
    {
        var asks = _entries.Values.OrderBy(e => e.Id, StringComparer.Ordinal).Select(entry =>
        {
            if (!_checkers.TryGetValue(entry.Id, out var checker))
            {
                return Task.FromResult(new EndpointHealthReport(entry.Id, EndpointHealth.Unknown, "no health check configured", TimeSpan.Zero, _directory.Time.GetUtcNow()));
            }
            var spec = entry.Endpoint.HealthCheck!;
            return checker.Ask<EndpointHealthReport>(new HealthCheck(entry.Id), spec.Timeout + TimeSpan.FromSeconds(5));
        }).ToArray();
        Task.WhenAll(asks).ContinueWith(t => t.IsCompletedSuccessfully
                ? (object)(IReadOnlyList<EndpointHealthReport>)t.Result
                : new Status.Failure(t.Exception!.GetBaseException()), TaskScheduler.Default)
            .PipeTo(Sender);
    }

    private void OnHealthReport(EndpointHealthReport report)
    {
        if (!_entries.TryGetValue(report.Id, out var entry)) return;
        // A report from a checker stopped since (address changed) is stale.
        if (Sender is { } sender && !sender.IsNobody() && _checkers.TryGetValue(report.Id, out var current) && !sender.Equals(current) && !sender.Equals(Self)) return;
        var was = entry.Health;
        entry.Health = report.Health;
        entry.LastHealthCheck = report.At;
        entry.LastHealthDetail = report.Detail;
        if (was != report.Health)
        {
            _log.Info("Endpoint {0} health {1} -> {2} ({3})", entry.Id, was, report.Health, report.Detail);
            Record(FailoverEventKind.HealthChanged, entry.Id, entry.Endpoint.Name, $"{was} -> {report.Health}: {report.Detail}");
        }
    }

    private void OnCircuit(CircuitTransitioned m)
    {
        if (!_entries.TryGetValue(m.Id, out var entry)) return;
        var kind = m.State switch
        {
            CircuitState.Open => FailoverEventKind.CircuitOpened,
            CircuitState.HalfOpen => FailoverEventKind.CircuitHalfOpened,
            _ => FailoverEventKind.CircuitClosed,
        };
        if (m.State == CircuitState.Open)
        {
            _log.Warning("Circuit of endpoint {0} opened for {1}", m.Id, entry.Breaker.Options.RecoveryTimeout);
        }
        Record(kind, m.Id, entry.Endpoint.Name, $"circuit {m.State}");
    }

    private FailoverStats Stats()
    {
        var per = _entries.Values.OrderBy(e => e.Id, StringComparer.Ordinal).Select(e => new EndpointStats(
            e.Id, e.Endpoint.Name, Interlocked.Read(ref e.Attempts), Interlocked.Read(ref e.Failures), Volatile.Read(ref e.Active),
            e.Health, e.Breaker.State, e.InMaintenance)).ToArray();
        return new FailoverStats(
            Interlocked.Read(ref _directory.Calls), Interlocked.Read(ref _directory.Successes), Interlocked.Read(ref _directory.Failures),
            Interlocked.Read(ref _directory.Attempts), Interlocked.Read(ref _directory.FailedOver),
            per.Length, _entries.Values.Count(e => e.IsSelectable), per);
    }

    private void RestartChecker(EndpointEntry entry)
    {
        StopChecker(entry.Id);
        if (entry.Endpoint.HealthCheck is not { } spec)
        {
            return;
        }
        var name = $"health-{Uri.EscapeDataString(entry.Id)}-{++_checkerGeneration}";
        _checkers[entry.Id] = Context.ActorOf(HealthCheckActor.Props(entry.Endpoint, spec, _probes), name);
    }

    private void StopChecker(string id)
    {
        if (_checkers.Remove(id, out var checker))
        {
            Context.Stop(checker);
        }
    }

    private void Publish(string name)
    {
        var entries = _entries.Values.Where(e => e.Endpoint.Name == name).OrderBy(e => e.Id, StringComparer.Ordinal).ToArray();
        _directory.Publish(name, entries);
    }

    private void Record(FailoverEventKind kind, string? id, string? service, string detail) =>
        _events.Add(new FailoverEvent(_directory.Time.GetUtcNow(), kind, id, service, detail));

    private void Reply(object answer)
    {
        if (!Sender.IsNobody() && !Sender.Equals(Context.System.DeadLetters))
        {
            Sender.Tell(answer);
        }
    }

    /// <summary>
    /// A message that throws is logged and dropped, and the registry goes on with its state: a restart would forget every
    /// registration and maintenance flag while callers keep selecting from the last published views.
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception ex)
        {
            _log.Error(ex, "Failover registry dropped {0} after an error", message.GetType().Name);
            Reply(new Status.Failure(ex));
            return true;
        }
    }

    protected override void PostStop() => _probes.Dispose();

    internal sealed record CircuitTransitioned(string Id, CircuitState State);

    internal sealed record FailedOverNote(string ServiceName, string FromId, int Attempt, string Reason);
}
