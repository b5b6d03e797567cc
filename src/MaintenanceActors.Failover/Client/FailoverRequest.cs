namespace MaintenanceActors.Failover;

/// <summary>One call to a service: which service, and optionally how to choose and how hard to try.</summary>
public sealed record FailoverRequest(string ServiceName)
{
    /// <summary>Overrides <see cref="FailoverOptions.Strategy"/>.</summary>
    public FailoverStrategy? Strategy { get; init; }

    /// <summary>Overrides <see cref="FailoverOptions.Algorithm"/>.</summary>
    public LoadBalancingAlgorithm? Algorithm { get; init; }

    /// <summary>The key hashed by <see cref="LoadBalancingAlgorithm.KeyHash"/> (a client IP, a session or user id).</summary>
    public string? Key { get; init; }

    /// <summary>The caller's region, tried first by <see cref="FailoverStrategy.Geographic"/>.</summary>
    public string? Region { get; init; }

    /// <summary>Total attempts (first call plus retries); null: 1 + <see cref="RetryOptions.MaxRetries"/>.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>Deadline of the whole call, retries included; null: <see cref="FailoverOptions.Timeout"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Says whether a returned result is a failure to retry elsewhere (e.g. an HTTP 503); exceptions always are.</summary>
    public Func<object?, bool>? IsFailure { get; init; }
}

/// <summary>How <c>ExecuteWithFailoverAsync</c> ended: the endpoint that answered last, its result, attempts, duration and the error if it failed.</summary>
/// <remarks>On failure <see cref="Result"/> is the last result <see cref="FailoverRequest.IsFailure"/> rejected (e.g. the last 503), or default when every attempt threw.</remarks>
public sealed record FailoverResult<T>(ServiceEndpoint? Endpoint, T? Result, int Attempts, TimeSpan Duration, bool Success, FailoverException? Error);

/// <summary>How the group of candidate endpoints is chosen (the last two) or which algorithm picks (the first four).</summary>
public enum FailoverStrategy
{
    RoundRobin,
    Random,
    Weighted,
    LeastConnections,

    /// <summary>Healthy endpoints first; degraded and unknown ones only when no healthy one is selectable.</summary>
    HealthBased,

    /// <summary>The caller's region first, then <see cref="FailoverOptions.RegionOrder"/>, then any region.</summary>
    Geographic,
}

/// <summary>How one endpoint is picked among the candidates.</summary>
public enum LoadBalancingAlgorithm
{
    RoundRobin,
    Random,
    Weighted,
    LeastConnections,

    /// <summary>Hash of <see cref="FailoverRequest.Key"/> (an IP, a session id): the same key lands on the same endpoint; sticky when <see cref="FailoverOptions.StickySessions"/>.</summary>
    KeyHash,
}
