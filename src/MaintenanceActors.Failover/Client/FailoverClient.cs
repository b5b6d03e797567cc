using System.Diagnostics;
using Akka.Actor;
using Polly;

namespace MaintenanceActors.Failover;

/// <summary>
/// <see cref="IFailoverClient"/> over a registry actor: calls select from the lock-free <see cref="EndpointDirectory"/>
/// (no actor round trip per call) and retry through Polly; management calls ask the registry.
/// </summary>
internal sealed class FailoverClient : IFailoverClient
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private readonly EndpointDirectory _directory;
    private readonly RetryPipelines _pipelines;

    public FailoverClient(IActorRef registry, EndpointDirectory directory)
    {
        Registry = registry;
        _directory = directory;
        _pipelines = new RetryPipelines(directory.Time);
    }

    public IActorRef Registry { get; }

    internal EndpointDirectory Directory => _directory;

    public async Task<FailoverResult<T>> ExecuteWithFailoverAsync<T>(
        FailoverRequest request, Func<ServiceEndpoint, CancellationToken, Task<T>> fn, CancellationToken ct = default)
    {
        var time = _directory.Time;
        var started = time.GetTimestamp();
        if (request is null || string.IsNullOrWhiteSpace(request.ServiceName) || fn is null || request.MaxAttempts < 1)
        {
            var reason = request is null ? "request must not be null"
                : fn is null ? "fn must not be null"
                : request.MaxAttempts < 1 ? $"FailoverRequest.MaxAttempts must be at least 1 (was {request.MaxAttempts})"
                : "FailoverRequest.ServiceName must name a service";
            return new FailoverResult<T>(null, default, 0, TimeSpan.Zero, false, new FailoverValidationException(reason));
        }
        ct.ThrowIfCancellationRequested();

        var options = _directory.Options;
        var call = FailoverCall<T>.Rent();
        call.Start(this, request, fn, options);
        Interlocked.Increment(ref _directory.Calls);

        CancellationTokenSource? deadline = null;
        CancellationTokenSource? linked = null;
        var token = ct;
        if ((request.Timeout ?? options.Timeout) is { } timeout)
        {
            // On the client's TimeProvider, so a manual clock drives deadlines in tests.
            deadline = new CancellationTokenSource(timeout, time);
            token = deadline.Token;
            if (ct.CanBeCanceled)
            {
                linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
                token = linked.Token;
            }
        }
        ResilienceContext? context = null;
        try
        {
            // The first attempt runs outside Polly: most calls succeed at once and need no pipeline. A failed first
            // attempt enters the retry pipeline, whose first try only replays that failure, so Polly applies its delay,
            // backoff and jitter to every retry exactly as if it had run the first attempt itself.
            var outcome = await call.AttemptAsync(token).ConfigureAwait(false);
            if (ReferenceEquals(outcome.Result, Verdict.Retry))
            {
                call.ReplayFirst = true;
                context = ResilienceContextPool.Shared.Get(token);
                outcome = await _pipelines.For(options.Retry).ExecuteOutcomeAsync(
                    static (ctx, c) => c.AttemptAsync(ctx.CancellationToken), context, call).ConfigureAwait(false);
            }
            var duration = time.GetElapsedTime(started);
            Interlocked.Add(ref _directory.Attempts, call.Attempts);
            if (call.Attempts > 1) Interlocked.Add(ref _directory.FailedOver, call.Attempts - 1);

            if (ReferenceEquals(outcome.Result, Verdict.Done) && call.Succeeded)
            {
                Interlocked.Increment(ref _directory.Successes);
                return new FailoverResult<T>(call.Endpoint, call.Result, call.Attempts, duration, true, null);
            }
            Interlocked.Increment(ref _directory.Failures);
            if (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException(ct);
            }
            FailoverException error = outcome.Exception is { } unexpected and not OperationCanceledException
                ? new FailoverInternalException($"failover call to {request.ServiceName} failed: {unexpected.Message}", unexpected)
                : token.IsCancellationRequested
                    ? new FailoverTimeoutException(
                        $"call to {request.ServiceName} did not finish within {(request.Timeout ?? options.Timeout)!.Value.TotalMilliseconds:0} ms ({call.Attempts} attempts)",
                        call.LastError, call.Endpoint?.Id)
                    : call.Error();
            return new FailoverResult<T>(call.Endpoint, call.Result, call.Attempts, duration, false, error);
        }
        finally
        {
            if (context is not null) ResilienceContextPool.Shared.Return(context);
            linked?.Dispose();
            deadline?.Dispose();
            call.Return();
        }
    }

    public Task<ServiceEndpoint> SelectEndpointAsync(FailoverRequest request, CancellationToken ct = default)
    {
        if (request is null || string.IsNullOrWhiteSpace(request.ServiceName))
        {
            return Task.FromException<ServiceEndpoint>(new FailoverValidationException("FailoverRequest.ServiceName must name a service"));
        }
        return TrySelectEndpoint(request, out var endpoint)
            ? Task.FromResult(endpoint!)
            : Task.FromException<ServiceEndpoint>(NoEndpoint(request.ServiceName));
    }

    public bool TrySelectEndpoint(FailoverRequest request, out ServiceEndpoint? endpoint)
    {
        var entry = Select(request, default);
        endpoint = entry?.Endpoint;
        return entry is not null;
    }

    internal EndpointEntry? Select(FailoverRequest request, in Tried tried)
    {
        var view = _directory.Find(request.ServiceName);
        if (view is null) return null;
        return EndpointSelector.Select(
            _directory, view, request.Strategy ?? _directory.Options.Strategy, request.Algorithm, request.Key, request.Region, tried);
    }

    public void ReportOutcome(ServiceEndpoint endpoint, bool success)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (_directory.Find(endpoint.Name) is not { } view) return;
        foreach (var entry in view.Entries)
        {
            if (entry.Id != endpoint.Id) continue;
            Interlocked.Increment(ref entry.Attempts);
            if (success)
            {
                entry.Breaker.OnSuccess(EndpointCircuitBreaker.Permit.Normal);
            }
            else
            {
                Interlocked.Increment(ref entry.Failures);
                entry.Breaker.OnFailure(EndpointCircuitBreaker.Permit.Normal);
            }
            return;
        }
    }

    /// <summary>Why nothing could be selected: unknown service, or what every endpoint is excluded for.</summary>
    internal FailoverException NoEndpoint(string service)
    {
        if (_directory.Find(service) is not { } view)
        {
            return new FailoverNotFoundException($"no endpoint is registered for service {service}");
        }
        int maintenance = 0, unhealthy = 0, open = 0;
        foreach (var entry in view.Entries)
        {
            if (entry.InMaintenance) maintenance++;
            else if (entry.Health == EndpointHealth.Unhealthy) unhealthy++;
            else if (!entry.Breaker.IsSelectable) open++;
        }
        var text = $"no selectable endpoint for service {service}: {view.Entries.Length} registered, {maintenance} in maintenance, {unhealthy} unhealthy, {open} with an open circuit";
        return open > 0 && maintenance + unhealthy + open == view.Entries.Length && open == view.Entries.Length
            ? new FailoverCircuitOpenException(text)
            : new FailoverNotFoundException(text);
    }

    internal void NoteFailover(string service, string fromId, int attempt, string reason) =>
        Registry.Tell(new EndpointRegistryActor.FailedOverNote(service, fromId, attempt, reason));

    public Task<FailoverStats> GetStatsAsync(CancellationToken ct = default) => Registry.Ask<FailoverStats>(GetStats.Instance, AskTimeout, ct);

    public Task<IReadOnlyList<FailoverEvent>> GetEventsAsync(int limit = 100, CancellationToken ct = default) =>
        Registry.Ask<IReadOnlyList<FailoverEvent>>(new GetEvents(limit), AskTimeout, ct);

    public async Task<EndpointHealthReport> HealthCheckAsync(string id, CancellationToken ct = default)
    {
        var answer = await Registry.Ask<object>(new HealthCheck(id), AskTimeout, ct).ConfigureAwait(false);
        return answer switch
        {
            EndpointHealthReport report => report,
            EndpointNotFound => throw new FailoverNotFoundException($"no endpoint has id {id}"),
            _ => throw new FailoverInternalException($"unexpected answer {answer.GetType().Name} to a health check"),
        };
    }

    public Task<IReadOnlyList<EndpointHealthReport>> HealthCheckAllAsync(CancellationToken ct = default) =>
        Registry.Ask<IReadOnlyList<EndpointHealthReport>>(HealthCheckAll.Instance, AskTimeout, ct);

    public async Task ConfigureAsync(FailoverOptions options, CancellationToken ct = default)
    {
        var answer = await Registry.Ask<object>(new Configure(options), AskTimeout, ct).ConfigureAwait(false);
        if (answer is ConfigRejected rejected) throw new FailoverValidationException(rejected.Reason);
    }

    public Task<FailoverOptions> GetConfigAsync(CancellationToken ct = default) => Registry.Ask<FailoverOptions>(GetConfig.Instance, AskTimeout, ct);

    public Task RegisterAsync(ServiceEndpoint endpoint, string source = "static", CancellationToken ct = default) =>
        Accepted(new RegisterEndpoint(endpoint, source), ct);

    public Task UpdateAsync(ServiceEndpoint endpoint, string source = "static", CancellationToken ct = default) =>
        Accepted(new UpdateEndpoint(endpoint, source), ct);

    private async Task Accepted(object message, CancellationToken ct)
    {
        var answer = await Registry.Ask<object>(message, AskTimeout, ct).ConfigureAwait(false);
        if (answer is EndpointRejected rejected) throw new FailoverValidationException(rejected.Reason);
    }

    public async Task<bool> DeregisterAsync(string id, string source = "static", CancellationToken ct = default) =>
        (await Registry.Ask<EndpointRemoved>(new DeregisterEndpoint(id, source), AskTimeout, ct).ConfigureAwait(false)).Removed;

    public async Task<EndpointSnapshot?> GetEndpointAsync(string id, CancellationToken ct = default) =>
        await Registry.Ask<object>(new GetEndpoint(id), AskTimeout, ct).ConfigureAwait(false) as EndpointSnapshot;

    public Task<IReadOnlyList<EndpointSnapshot>> ListEndpointsAsync(string? name = null, CancellationToken ct = default) =>
        Registry.Ask<IReadOnlyList<EndpointSnapshot>>(new ListEndpoints(name), AskTimeout, ct);
}
