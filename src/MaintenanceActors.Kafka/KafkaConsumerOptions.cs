using Confluent.Kafka;

namespace MaintenanceActors.Kafka;

/// <summary>Which topics a Kafka consumer reads in which group, how much it processes at once, and how it commits.</summary>
public sealed class KafkaConsumerOptions
{
    /// <summary>The brokers to start from, comma-separated host:port. Default: "localhost:9092".</summary>
    public string BootstrapServers { get; set; } = "localhost:9092";

    /// <summary>The topics to subscribe to. Required (at least one).</summary>
    public IList<string> Topics { get; set; } = new List<string>();

    /// <summary>The consumer group. Required.</summary>
    public string GroupId { get; set; } = "";

    /// <summary>Partitions processed at once (records of one partition always run one at a time, in order). Default: 4 (1 to 1024).</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>How often finished offsets are committed while running. Default: 1 s (10 ms to 1 min).</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long one poll of the consumer thread waits for a record; bounds how late a pause or resume takes effect.
    /// Default: 10 ms (1 ms to 1 s).
    /// </summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// When partitions are revoked, how long the consumer waits for their records in the processor before it commits what
    /// finished and lets them go (a record still running then is delivered again to the partition's next owner).
    /// Default: 10 s (zero or more, less than max.poll.interval.ms).
    /// </summary>
    public TimeSpan RevokeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Records fetched but not yet processed, per partition, before that partition is paused to let the processor catch up
    /// (it resumes at half). Pausing drops librdkafka's prefetched records, which are fetched again on resume, so a small
    /// value costs throughput; librdkafka itself prefetches up to queued.min.messages (100,000) per partition. Default: 10,000
    /// (2 to 1,000,000).
    /// </summary>
    public int MaxBufferedPerPartition { get; set; } = 10_000;

    /// <summary>
    /// For long maintenance windows: after draining, close the consumer (leave the group, so its partitions go to other
    /// members) and join again on exit. Default: false (stay in the group, paused).
    /// </summary>
    public bool LeaveGroupOnMaintenance { get; set; }

    /// <summary>Where a group without a committed offset starts. Default: <see cref="Confluent.Kafka.AutoOffsetReset.Earliest"/>.</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Earliest;

    /// <summary>How often the broker is asked for the topic's metadata (health) and partition lag is recomputed. Default: 10 s.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Further librdkafka settings (security, session timeout, assignment strategy, ...), applied after the ones above.
    /// Offsets are always committed by the consumer itself: enable.auto.commit and enable.auto.offset.store are forced off.
    /// </summary>
    public Action<ConsumerConfig>? ConfigureConsumer { get; set; }

    /// <summary>The resource name in reports, stats and health (also the actor name). Default: "kafka".</summary>
    public string ResourceName { get; set; } = "kafka";

    /// <summary>This consumer's drain deadline; null uses the coordinator's MaintenanceOptions.DrainTimeout. Default: null.</summary>
    public TimeSpan? DrainTimeout { get; set; }

    /// <summary>Throws <see cref="MaintenanceConfigurationException"/> naming the first field that cannot work and what to do.</summary>
    public void Validate(string section = "Maintenance:Kafka")
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers)
            || BootstrapServers.Split(',').Any(b => b.Trim() is var server && (server.Length == 0 || !server.Contains(':'))))
        {
            throw new MaintenanceConfigurationException($"{section}:BootstrapServers",
                $"must list host:port pairs separated by commas (e.g. localhost:9092), but was '{BootstrapServers}'");
        }
        if (Topics is null || Topics.Count == 0 || Topics.Any(string.IsNullOrWhiteSpace))
        {
            throw new MaintenanceConfigurationException($"{section}:Topics", "must name at least one topic (e.g. orders), and no empty name");
        }
        if (string.IsNullOrWhiteSpace(GroupId))
        {
            throw new MaintenanceConfigurationException($"{section}:GroupId", "must name the consumer group (e.g. order-service)");
        }
        if (MaxConcurrency is < 1 or > 1024)
        {
            throw new MaintenanceConfigurationException($"{section}:MaxConcurrency", $"must be between 1 and 1024, but was {MaxConcurrency}");
        }
        if (CommitInterval < TimeSpan.FromMilliseconds(10) || CommitInterval > TimeSpan.FromMinutes(1))
        {
            throw new MaintenanceConfigurationException($"{section}:CommitInterval", $"must be from 10 ms to 1 min (e.g. 00:00:01), but was {CommitInterval}");
        }
        if (PollTimeout < TimeSpan.FromMilliseconds(1) || PollTimeout > TimeSpan.FromSeconds(1))
        {
            throw new MaintenanceConfigurationException($"{section}:PollTimeout", $"must be from 1 ms to 1 s (e.g. 00:00:00.010), but was {PollTimeout}");
        }
        if (RevokeTimeout < TimeSpan.Zero || RevokeTimeout > TimeSpan.FromMinutes(4))
        {
            throw new MaintenanceConfigurationException($"{section}:RevokeTimeout",
                $"must be from 0 to 4 min (below the default max.poll.interval.ms of 5 min), but was {RevokeTimeout}");
        }
        if (MaxBufferedPerPartition is < 2 or > 1_000_000)
        {
            throw new MaintenanceConfigurationException($"{section}:MaxBufferedPerPartition", $"must be between 2 and 1000000, but was {MaxBufferedPerPartition}");
        }
        if (HealthCheckInterval <= TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:HealthCheckInterval", $"must be positive (e.g. 00:00:10), but was {HealthCheckInterval}");
        }
        if (string.IsNullOrWhiteSpace(ResourceName))
        {
            throw new MaintenanceConfigurationException($"{section}:ResourceName", "must not be empty (e.g. kafka)");
        }
        if (DrainTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:DrainTimeout", "must be positive (e.g. 00:00:30), or null for the coordinator's default");
        }
    }

    /// <summary>The librdkafka settings of one consumer built from these options.</summary>
    internal ConsumerConfig ToConsumerConfig()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = GroupId,
            AutoOffsetReset = AutoOffsetReset,
        };
        ConfigureConsumer?.Invoke(config);
        // The consumer stores and commits offsets itself, only for finished records.
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        return config;
    }
}
