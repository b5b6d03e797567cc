using Confluent.Kafka;
using MaintenanceActors.Kafka.Testing;
using MaintenanceActors.Kafka.Tests.Fixtures;
using MaintenanceActors.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MaintenanceActors.Kafka.Tests;

[Collection(KafkaMockCollection.Name)]
public sealed class AddKafkaConsumerSpec(KafkaMockFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly KafkaMockCluster _kafka = fixture.Cluster;

    [Fact]
    public async Task Must_consume_with_the_registered_processor_once_the_host_runs_pause_in_maintenance_and_commit_on_stop()
    {
        var topic = _kafka.CreateTopic(4);
        var group = _kafka.NewGroup();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Services.AddSingleton<Counting>();
        builder.Services.AddMaintenance(m => m.AddKafkaConsumer<Counting>(o =>
        {
            o.BootstrapServers = _kafka.BootstrapServers;
            o.Topics = [topic];
            o.GroupId = group;
        }));
        using var host = builder.Build();
        await host.StartAsync();
        var processor = host.Services.GetRequiredService<Counting>();
        var monitor = host.Services.GetRequiredService<KafkaConsumerMonitor>();
        var maintenance = host.Services.GetRequiredService<IMaintenance>();

        _kafka.Produce(topic, 50);
        await UntilAsync(() => processor.Count == 50);
        (await maintenance.GetHealthAsync()).Resources["kafka"].Status.Should().Be(ComponentHealth.Healthy);

        await maintenance.SetMaintenanceModeAsync(true);
        (await maintenance.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();
        monitor.Get()!.Should().Match<KafkaConsumerStatsSnapshot>(s => s.Paused.Count == 4 && s.InFlight == 0 && s.Processed == 50 && s.InGroup);

        await host.StopAsync();
        _kafka.Committed(group, topic, 4).Values.Sum().Should().Be(50, "everything processed is committed");
    }

    private static async Task UntilAsync(Func<bool> condition) =>
        (await Eventually.HoldsAsync(condition, Wait)).Should().BeTrue("the condition should hold within {0}", Wait);

    private sealed class Counting : IKafkaRecordProcessor
    {
        private int _count;
        public int Count => Volatile.Read(ref _count);

        public Task ProcessAsync(ConsumeResult<byte[], byte[]> record, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }
}
