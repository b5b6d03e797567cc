using MaintenanceActors.Kafka.Testing;

namespace MaintenanceActors.Kafka.Tests.Fixtures;

/// <summary>One mock cluster for the whole test run; every spec uses its own topics and groups.</summary>
[CollectionDefinition(Name)]
public sealed class KafkaMockCollection : ICollectionFixture<KafkaMockFixture>
{
    public const string Name = "kafka-mock";
}

/// <summary>The mock cluster as an xunit collection fixture.</summary>
public sealed class KafkaMockFixture : IDisposable
{
    public KafkaMockCluster Cluster { get; } = new();

    public void Dispose() => Cluster.Dispose();
}
