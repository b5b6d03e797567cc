using Polly;
using Polly.Retry;

namespace MaintenanceActors.Failover;

/// <summary>
/// The Polly retry pipeline of the current settings, rebuilt when <see cref="FailoverOptions.Retry"/> changes. Each
/// try is one attempt on one endpoint; the attempt says whether to go on (<see cref="Verdict.Retry"/>) and counts the
/// attempts itself, so a request's <see cref="FailoverRequest.MaxAttempts"/> lowers or raises the cap without a new pipeline.
/// </summary>
internal sealed class RetryPipelines(TimeProvider time)
{
    internal const int MaxRetriesCap = 100;

    private volatile Holder? _current;

    public ResiliencePipeline For(RetryOptions retry)
    {
        var current = _current;
        if (current is not null && ReferenceEquals(current.Options, retry)) return current.Pipeline;
        var built = new Holder(retry, Build(retry));
        _current = built;
        return built.Pipeline;
    }

    private ResiliencePipeline Build(RetryOptions retry)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = MaxRetriesCap,
            Delay = retry.Delay,
            MaxDelay = retry.MaxDelay,
            UseJitter = retry.Jitter,
            BackoffType = retry.Backoff switch
            {
                RetryBackoff.Linear => DelayBackoffType.Linear,
                RetryBackoff.Exponential => DelayBackoffType.Exponential,
                _ => DelayBackoffType.Constant,
            },
            ShouldHandle = static args => new ValueTask<bool>(ReferenceEquals(args.Outcome.Result, Verdict.Retry)),
        });
        return builder.Build();
    }

    private sealed record Holder(RetryOptions Options, ResiliencePipeline Pipeline);
}

/// <summary>What one attempt tells the retry pipeline (shared instances: no allocation per attempt).</summary>
internal sealed class Verdict
{
    public static readonly Verdict Done = new();
    public static readonly Verdict Retry = new();

    private Verdict()
    {
    }
}
