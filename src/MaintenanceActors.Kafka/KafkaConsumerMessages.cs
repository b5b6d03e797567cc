namespace MaintenanceActors.Kafka;

/// <summary>Asks a Kafka consumer for its <see cref="KafkaConsumerStatsSnapshot"/>; answered at once in every state.</summary>
public sealed class GetKafkaConsumerStats
{
    /// <summary>The one instance.</summary>
    public static readonly GetKafkaConsumerStats Instance = new();

    private GetKafkaConsumerStats()
    {
    }
}

/// <summary>One failure the consumer met, with when it happened.</summary>
public sealed record KafkaConsumerError(DateTimeOffset At, string Operation, string Message);

/// <summary>What a Kafka consumer has done so far and where it stands. Partitions are named topic-partition (e.g. orders-3).</summary>
/// <param name="Resource">The resource name.</param>
/// <param name="Received">Records returned by the broker (a record received again after a rebalance counts again).</param>
/// <param name="Processed">Records the processor completed.</param>
/// <param name="Failed">Records the processor threw on (counted as finished).</param>
/// <param name="InFlight">Records in the processor now.</param>
/// <param name="Buffered">Records fetched and waiting for their partition's turn (not started in maintenance).</param>
/// <param name="InGroup">True while the consumer is a member of its group (false after LeaveGroupOnMaintenance closed it).</param>
/// <param name="Assigned">The partitions assigned now.</param>
/// <param name="Paused">The assigned partitions paused now.</param>
/// <param name="Lag">Per assigned partition: the high watermark minus the next offset to process.</param>
/// <param name="Rebalances">Assignments and revocations seen.</param>
/// <param name="Commits">Successful commits.</param>
/// <param name="CommitErrors">Commits the broker refused (retried on the next tick).</param>
/// <param name="LastCommitAt">When offsets were last committed.</param>
/// <param name="Committed">Per partition: the last offset committed (the next record to process).</param>
/// <param name="LastErrors">The last ten errors, oldest first.</param>
/// <param name="Problem">Why the consumer is unhealthy, or null.</param>
public sealed record KafkaConsumerStatsSnapshot(
    string Resource,
    long Received,
    long Processed,
    long Failed,
    long InFlight,
    long Buffered,
    bool InGroup,
    IReadOnlyList<string> Assigned,
    IReadOnlyList<string> Paused,
    IReadOnlyDictionary<string, long> Lag,
    long Rebalances,
    long Commits,
    long CommitErrors,
    DateTimeOffset? LastCommitAt,
    IReadOnlyDictionary<string, long> Committed,
    IReadOnlyList<KafkaConsumerError> LastErrors,
    string? Problem);
