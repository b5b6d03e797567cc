using System.Collections.Concurrent;

namespace MaintenanceActors.Kafka;

/// <summary>Reads what each registered Kafka consumer has done (for a stats endpoint), without asking the actor.</summary>
public sealed class KafkaConsumerMonitor
{
    private readonly ConcurrentDictionary<string, KafkaConsumerState> _consumers = new(StringComparer.Ordinal);

    /// <summary>The names of the registered consumers.</summary>
    public IReadOnlyCollection<string> Resources => _consumers.Keys.ToArray();

    /// <summary>The stats of the consumer named <paramref name="resource"/>, or null if there is none.</summary>
    public KafkaConsumerStatsSnapshot? Get(string resource = "kafka") =>
        _consumers.TryGetValue(resource, out var state) ? state.Snapshot(resource) : null;

    internal void Add(string resource, KafkaConsumerState state) => _consumers[resource] = state;
}
