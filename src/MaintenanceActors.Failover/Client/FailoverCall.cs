using Polly;

namespace MaintenanceActors.Failover;

/// <summary>
/// The state of one <c>ExecuteWithFailoverAsync</c> call, reused across calls (one pooled instance per result type), so a
/// call allocates only its result.
/// </summary>
internal sealed class FailoverCall<T>
{
    private static FailoverCall<T>? s_spare;

    private FailoverClient _client = null!;
    private FailoverRequest _request = null!;
    private Func<ServiceEndpoint, CancellationToken, Task<T>> _fn = null!;
    private Tried _tried;
    private int _maxAttempts;
    private int _denied;
    private bool _noEndpoint;

    public int Attempts { get; private set; }

    /// <summary>Set when the retry pipeline takes over after a first attempt made outside it: its first try replays that failure.</summary>
    public bool ReplayFirst { get; set; }
    public bool Succeeded { get; private set; }
    public T? Result { get; private set; }
    public ServiceEndpoint? Endpoint { get; private set; }
    public Exception? LastError { get; private set; }
    private string? _lastReason;

    public static FailoverCall<T> Rent() => Interlocked.Exchange(ref s_spare, null) ?? new FailoverCall<T>();

    public void Start(FailoverClient client, FailoverRequest request, Func<ServiceEndpoint, CancellationToken, Task<T>> fn, FailoverOptions options)
    {
        _client = client;
        _request = request;
        _fn = fn;
        _maxAttempts = request.MaxAttempts ?? 1 + options.Retry.MaxRetries;
        _maxAttempts = Math.Min(_maxAttempts, 1 + RetryPipelines.MaxRetriesCap);
    }

    public void Return()
    {
        _client = null!;
        _request = null!;
        _fn = null!;
        _tried.Clear();
        Attempts = 0;
        _denied = 0;
        _noEndpoint = false;
        ReplayFirst = false;
        Succeeded = false;
        Result = default;
        Endpoint = null;
        LastError = null;
        _lastReason = null;
        Volatile.Write(ref s_spare, this);
    }

    /// <summary>One attempt: select an endpoint not tried yet (or any, once all were), call it, feed its breaker.</summary>
    public async ValueTask<Outcome<Verdict>> AttemptAsync(CancellationToken ct)
    {
        if (ReplayFirst)
        {
            ReplayFirst = false;
            return Outcome.FromResult(Verdict.Retry);
        }
        while (true)
        {
            if (Attempts >= _maxAttempts || ct.IsCancellationRequested)
            {
                return Outcome.FromResult(Verdict.Done);
            }
            var entry = _client.Select(_request, _tried);
            if (entry is null && _tried.Count > 0)
            {
                entry = _client.Select(_request, default);
            }
            if (entry is null)
            {
                _noEndpoint = true;
                return Outcome.FromResult(Verdict.Done);
            }
            var permit = entry.Breaker.TryAcquire();
            if (permit == EndpointCircuitBreaker.Permit.Denied)
            {
                // Lost a race with the breaker (half-open trials are full): try another endpoint without counting an attempt.
                _tried.Add(entry);
                if (++_denied > 64)
                {
                    _noEndpoint = true;
                    return Outcome.FromResult(Verdict.Done);
                }
                continue;
            }

            if (Attempts > 0 && Endpoint is { } previous)
            {
                _client.NoteFailover(_request.ServiceName, previous.Id, Attempts + 1, _lastReason ?? "failure");
            }
            Attempts++;
            _tried.Add(entry);
            Endpoint = entry.Endpoint;
            Interlocked.Increment(ref entry.Attempts);
            Interlocked.Increment(ref entry.Active);
            try
            {
                var result = await _fn(entry.Endpoint, ct).ConfigureAwait(false);
                if (_request.IsFailure is { } isFailure && isFailure(result))
                {
                    Failed(entry, permit, null, "result rejected by IsFailure");
                    Result = result; // handed back if no later attempt succeeds (e.g. the last 503, for a handler to pass on)
                    return Outcome.FromResult(Attempts >= _maxAttempts ? Verdict.Done : Verdict.Retry);
                }
                entry.Breaker.OnSuccess(permit);
                Result = result;
                Succeeded = true;
                return Outcome.FromResult(Verdict.Done);
            }
            catch (Exception ex)
            {
                Failed(entry, permit, ex, ex.Message);
                return Outcome.FromResult(ct.IsCancellationRequested || Attempts >= _maxAttempts ? Verdict.Done : Verdict.Retry);
            }
            finally
            {
                Interlocked.Decrement(ref entry.Active);
            }
        }
    }

    private void Failed(EndpointEntry entry, EndpointCircuitBreaker.Permit permit, Exception? error, string reason)
    {
        Interlocked.Increment(ref entry.Failures);
        entry.Breaker.OnFailure(permit);
        LastError = error;
        _lastReason = reason;
    }

    public FailoverException Error()
    {
        if (_noEndpoint && Attempts == 0)
        {
            return _client.NoEndpoint(_request.ServiceName);
        }
        var text = $"call to {_request.ServiceName} failed after {Attempts} attempt{(Attempts == 1 ? "" : "s")}; last on {Endpoint?.Id}: {_lastReason}";
        return new FailoverConnectionException(text, LastError, Endpoint?.Id);
    }
}
