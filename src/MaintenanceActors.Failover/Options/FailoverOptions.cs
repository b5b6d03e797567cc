namespace MaintenanceActors.Failover;

/// <summary>Failover settings: defaults for selection, the per-endpoint circuit breaker and retries; replaceable at run time with <see cref="Configure"/>.</summary>
public sealed record FailoverOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Failover";

    /// <summary>Strategy when a request names none (default round-robin).</summary>
    public FailoverStrategy Strategy { get; init; } = FailoverStrategy.RoundRobin;

    /// <summary>Algorithm when a request names none; null: the strategy's own (round-robin inside health-based and geographic groups).</summary>
    public LoadBalancingAlgorithm? Algorithm { get; init; }

    /// <summary>Key-hash selection remembers each key's endpoint and keeps it while that endpoint stays selectable (default true).</summary>
    public bool StickySessions { get; init; } = true;

    /// <summary>Most keys remembered per service for sticky sessions before the table is cleared (default 10,000).</summary>
    public int MaxStickyKeys { get; init; } = 10_000;

    /// <summary>Regions tried, in order, after the caller's own by the geographic strategy; endpoints of other regions come last.</summary>
    public IReadOnlyList<string> RegionOrder { get; init; } = [];

    public CircuitBreakerOptions CircuitBreaker { get; init; } = new();

    public RetryOptions Retry { get; init; } = new();

    /// <summary>Deadline of a whole <c>ExecuteWithFailoverAsync</c> call when the request sets none; null: none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>How many events the ring keeps (default 1,000).</summary>
    public int EventCapacity { get; init; } = 1000;

    /// <summary>The first invalid field, named as its configuration path, or null.</summary>
    public string? Validate()
    {
        if (MaxStickyKeys < 1) return "Failover:MaxStickyKeys must be at least 1";
        if (EventCapacity < 1) return "Failover:EventCapacity must be at least 1";
        if (Timeout is { } t && t <= TimeSpan.Zero) return "Failover:Timeout must be positive when set";
        if (RegionOrder.Any(string.IsNullOrWhiteSpace)) return "Failover:RegionOrder must not hold empty names";
        return CircuitBreaker.Validate() ?? Retry.Validate();
    }

    internal FailoverOptions ThrowIfInvalid() =>
        Validate() is { } error ? throw new FailoverValidationException(error) : this;
}

/// <summary>The circuit breaker each endpoint gets.</summary>
public sealed record CircuitBreakerOptions
{
    /// <summary>Consecutive failures that open the circuit (default 5).</summary>
    public int FailureThreshold { get; init; } = 5;

    /// <summary>Time the circuit stays open before trial calls are let through (default 30 s).</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Trial calls allowed at once while half-open (default 1).</summary>
    public int HalfOpenMaxCalls { get; init; } = 1;

    /// <summary>Successful trial calls that close the circuit again (default 1).</summary>
    public int SuccessThreshold { get; init; } = 1;

    internal string? Validate()
    {
        if (FailureThreshold < 1) return "Failover:CircuitBreaker:FailureThreshold must be at least 1";
        if (RecoveryTimeout <= TimeSpan.Zero) return "Failover:CircuitBreaker:RecoveryTimeout must be positive";
        if (HalfOpenMaxCalls < 1) return "Failover:CircuitBreaker:HalfOpenMaxCalls must be at least 1";
        if (SuccessThreshold < 1) return "Failover:CircuitBreaker:SuccessThreshold must be at least 1";
        return null;
    }
}

/// <summary>Retries of a failed call, each on another endpoint when one is left.</summary>
public sealed record RetryOptions
{
    /// <summary>Retries after the first attempt (default 2, so 3 attempts); 0 disables retries.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>Delay before the first retry (default 0: retry at once on another endpoint).</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.Zero;

    /// <summary>How the delay grows (default constant).</summary>
    public RetryBackoff Backoff { get; init; } = RetryBackoff.Constant;

    /// <summary>Randomizes delays to spread retries of many clients (default false).</summary>
    public bool Jitter { get; init; }

    /// <summary>Upper bound of a delay (default 30 s).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    internal string? Validate()
    {
        if (MaxRetries is < 0 or > 100) return "Failover:Retry:MaxRetries must be between 0 and 100";
        if (Delay < TimeSpan.Zero) return "Failover:Retry:Delay must not be negative";
        if (MaxDelay <= TimeSpan.Zero) return "Failover:Retry:MaxDelay must be positive";
        return null;
    }
}

/// <summary>How retry delays grow.</summary>
public enum RetryBackoff
{
    Constant,
    Linear,
    Exponential,
}
