namespace MaintenanceActors.Grpc;

/// <summary>The cancellation of one call: the caller's token, the call's own disposal, and the deadline, told apart afterwards.</summary>
internal sealed class CallCancellation : IDisposable
{
    private readonly CancellationTokenSource linked;
    private readonly CancellationTokenSource? deadlineSource;
    private readonly CancellationToken callerToken;

    public CallCancellation(DateTimeOffset? deadline, TimeProvider time, CancellationToken callerToken)
    {
        this.callerToken = callerToken;
        if (deadline is { } at)
        {
            Remaining = at - time.GetUtcNow();
            deadlineSource = new CancellationTokenSource(Remaining > TimeSpan.Zero ? Remaining.Value : TimeSpan.Zero, time);
            linked = CancellationTokenSource.CreateLinkedTokenSource(callerToken, deadlineSource.Token);
        }
        else
        {
            linked = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        }
    }

    /// <summary>Time left until the deadline when the call started; null without a deadline.</summary>
    public TimeSpan? Remaining { get; }

    public CancellationToken Token => linked.Token;

    public bool DeadlineReached => deadlineSource?.IsCancellationRequested == true && !callerToken.IsCancellationRequested;

    public bool CallerCancelled => callerToken.IsCancellationRequested;

    public void Cancel()
    {
        try
        {
            linked.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already torn down: nothing left to cancel.
        }
    }

    public void Dispose()
    {
        linked.Dispose();
        deadlineSource?.Dispose();
    }
}
