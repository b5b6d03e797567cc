using Confluent.Kafka;
using Confluent.Kafka.Admin;
using MaintenanceActors.Kafka;

namespace KafkaService;

/// <summary>The sample's processing: a random pause between WORK_MIN_MS and WORK_MAX_MS, like the reference example.</summary>
internal sealed class SimulatedWork(WorkRange range, ILogger<SimulatedWork> log) : IKafkaRecordProcessor
{
    public async Task ProcessAsync(ConsumeResult<byte[], byte[]> record, CancellationToken cancellationToken)
    {
        var work = TimeSpan.FromMilliseconds(Random.Shared.Next(range.MinMs, range.MaxMs + 1));
        await Task.Delay(work, cancellationToken);
        log.LogDebug("Processed {Record} in {WorkMs} ms", record.TopicPartitionOffset.ToString(), work.TotalMilliseconds);
    }
}

internal sealed record WorkRange(int MinMs, int MaxMs);

internal static class JsonBody
{
    /// <summary>The body as <typeparamref name="T"/>, or null when it is not valid JSON of that shape.</summary>
    public static async Task<T?> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return await request.ReadFromJsonAsync<T>(cancellationToken);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or BadHttpRequestException)
        {
            return null;
        }
    }
}

internal static class Batch
{
    /// <summary>Produces <paramref name="count"/> records and waits for every delivery; returns how many went to each partition.</summary>
    public static async Task<SortedDictionary<int, int>> ProduceAsync(IProducer<string?, string> producer, string topic, int count, CancellationToken cancellationToken)
    {
        var deliveries = new List<Task<DeliveryResult<string?, string>>>(count);
        var stamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < count; i++)
        {
            deliveries.Add(producer.ProduceAsync(topic, new Message<string?, string> { Key = $"{stamp}-{i}", Value = $"batch {stamp} #{i}" }, cancellationToken));
        }
        var results = await Task.WhenAll(deliveries);
        return new SortedDictionary<int, int>(results.GroupBy(r => r.Partition.Value).ToDictionary(g => g.Key, g => g.Count()));
    }
}

internal static class TopicSetup
{
    /// <summary>Creates the topic with 4 partitions if the brokers do not know it; a failure is logged, not fatal (the consumer's health shows it).</summary>
    public static void Ensure(string bootstrap, string topic, ILogger log)
    {
        try
        {
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
            if (metadata.Topics.FirstOrDefault() is { Error.IsError: false, Partitions.Count: > 0 })
            {
                return;
            }
            admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 4, ReplicationFactor = -1 }])
                .GetAwaiter().GetResult();
            log.LogInformation("Created topic {Topic} with 4 partitions", topic);
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
        }
        catch (KafkaException ex)
        {
            log.LogWarning("Could not check or create topic {Topic} at {Bootstrap}: {Error}", topic, bootstrap, ex.Error.Reason);
        }
    }
}
