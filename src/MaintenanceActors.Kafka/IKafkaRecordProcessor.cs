using Confluent.Kafka;

namespace MaintenanceActors.Kafka;

/// <summary>The application's handling of one Kafka record; the consumer commits its offset once this completes.</summary>
public interface IKafkaRecordProcessor
{
    /// <summary>
    /// Processes <paramref name="record"/> (its key and value may be null). Records of one partition arrive one at a time, in
    /// offset order; records of different partitions run concurrently up to <see cref="KafkaConsumerOptions.MaxConcurrency"/>.
    /// Completing or throwing both finish the record (a failure is counted and logged, and the partition moves on: retry
    /// inside this method if a record must not be skipped). <paramref name="cancellationToken"/> is cancelled only when the
    /// consumer shuts down, never by maintenance; a record cancelled that way is not committed and is delivered again.
    /// </summary>
    Task ProcessAsync(ConsumeResult<byte[], byte[]> record, CancellationToken cancellationToken);
}
