namespace MaintenanceActors.Sqs;

/// <summary>Asks an SQS poller for its <see cref="SqsPollerStatsSnapshot"/>; answered at once in every state.</summary>
public sealed class GetSqsPollerStats
{
    /// <summary>The one instance.</summary>
    public static readonly GetSqsPollerStats Instance = new();

    private GetSqsPollerStats()
    {
    }
}

/// <summary>What an SQS poller has done so far, and why it is unhealthy if it is.</summary>
public sealed record SqsPollerStatsSnapshot(
    string Resource,
    long Received,
    long Processed,
    long Failed,
    long Released,
    long InFlight,
    long VisibilityExtensions,
    long ReceiveErrors,
    long ReceivesWaiting,
    DateTimeOffset? LastMessageAt,
    DateTimeOffset? ProbedAt,
    IReadOnlyList<SqsPollerError> LastErrors,
    string? QueueProblem);
