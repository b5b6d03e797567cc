using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace MaintenanceActors.Kafka.Testing;

/// <summary>
/// librdkafka's built-in mock cluster, hosted in this process by a client configured with test.mock.num.brokers and
/// reachable over TCP on 127.0.0.1 (by other processes too). Confluent.Kafka does not expose the mock API, so its C
/// functions are called in the very librdkafka copy Confluent.Kafka loaded. Topics are created through the mock
/// (it cannot create them through the admin API); each caller uses its own topic and group names.
/// </summary>
public sealed unsafe class KafkaMockCluster : IDisposable
{
    private static readonly Lazy<IntPtr> Library = new(LoadLoadedLibrdkafka);
    private readonly IProducer<Null, Null> _host;
    private readonly IntPtr _cluster;
    private int _names;

    /// <summary>Starts a mock cluster of <paramref name="brokers"/> brokers whose first group join is not delayed.</summary>
    public KafkaMockCluster(int brokers = 3)
    {
        var config = new ProducerConfig();
        config.Set("test.mock.num.brokers", brokers.ToString());
        _host = new ProducerBuilder<Null, Null>(config).SetLogHandler((_, _) => { }).Build();
        var handleMock = (delegate* unmanaged<IntPtr, IntPtr>)Export("rd_kafka_handle_mock_cluster");
        _cluster = handleMock(RdKafkaHandle(_host.Handle));
        if (_cluster == IntPtr.Zero)
        {
            throw new InvalidOperationException("librdkafka did not start a mock cluster for test.mock.num.brokers");
        }
        var bootstraps = (delegate* unmanaged<IntPtr, IntPtr>)Export("rd_kafka_mock_cluster_bootstraps");
        BootstrapServers = Marshal.PtrToStringUTF8(bootstraps(_cluster))!;
        // The mock waits 3 s (like a broker's group.initial.rebalance.delay.ms) before a new group's first assignment.
        var initialDelay = (delegate* unmanaged<IntPtr, int, void>)Export("rd_kafka_mock_group_initial_rebalance_delay_ms");
        initialDelay(_cluster, 0);
    }

    /// <summary>The brokers, comma-separated host:port on 127.0.0.1.</summary>
    public string BootstrapServers { get; }

    /// <summary>Creates a topic with a name no other caller uses.</summary>
    public string CreateTopic(int partitions = 4, string prefix = "t")
    {
        var name = $"{prefix}{Interlocked.Increment(ref _names)}-{Guid.NewGuid():N}";
        CreateTopic(name, partitions);
        return name;
    }

    /// <summary>Creates <paramref name="topic"/> with <paramref name="partitions"/> partitions (replication factor 1).</summary>
    public void CreateTopic(string topic, int partitions)
    {
        var create = (delegate* unmanaged<IntPtr, byte*, int, int, int>)Export("rd_kafka_mock_topic_create");
        var bytes = System.Text.Encoding.UTF8.GetBytes(topic + "\0");
        fixed (byte* name = bytes)
        {
            var error = (ErrorCode)create(_cluster, name, partitions, 1);
            if (error != ErrorCode.NoError)
            {
                throw new InvalidOperationException($"The mock cluster could not create topic {topic}: {error}");
            }
        }
    }

    /// <summary>A group id no other caller uses.</summary>
    public string NewGroup(string prefix = "g") => $"{prefix}{Interlocked.Increment(ref _names)}-{Guid.NewGuid():N}";

    /// <summary>A producer for this cluster (the caller disposes it).</summary>
    public IProducer<byte[], byte[]> CreateProducer() =>
        new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = BootstrapServers, LingerMs = 5 }).Build();

    /// <summary>Produces <paramref name="count"/> records with keys <paramref name="prefix"/>0.., spread over the partitions by key; waits for all.</summary>
    public void Produce(string topic, int count, string prefix = "r")
    {
        using var producer = CreateProducer();
        Produce(producer, topic, count, prefix);
    }

    /// <summary>Produces with <paramref name="producer"/>, waiting for every delivery; throws if one failed.</summary>
    public static void Produce(IProducer<byte[], byte[]> producer, string topic, int count, string prefix = "r")
    {
        var failed = 0;
        for (var i = 0; i < count; i++)
        {
            var key = System.Text.Encoding.UTF8.GetBytes($"{prefix}{i}");
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<byte[], byte[]> { Key = key, Value = key }, r =>
                    {
                        if (r.Error.IsError)
                        {
                            Interlocked.Increment(ref failed);
                        }
                    });
                    break;
                }
                catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }
        producer.Flush(TimeSpan.FromSeconds(60));
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {count} records could not be produced to {topic}");
        }
    }

    /// <summary>The high watermark of every partition of <paramref name="topic"/>: what has been produced so far.</summary>
    public IReadOnlyDictionary<int, long> HighWatermarks(string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = BootstrapServers, GroupId = "watermarks" }).Build();
        return Enumerable.Range(0, partitions).ToDictionary(p => p,
            p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    /// <summary>The offsets <paramref name="group"/> has committed on <paramref name="topic"/> (-1001 where none).</summary>
    public IReadOnlyDictionary<int, long> Committed(string group, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = BootstrapServers, GroupId = group }).Build();
        return consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10))
            .ToDictionary(o => o.Partition.Value, o => o.Offset.Value);
    }

    public void Dispose() => _host.Dispose();

    private static IntPtr Export(string name) => NativeLibrary.GetExport(Library.Value, name);

    // rd_kafka_t* behind a Confluent.Kafka handle (Handle.LibrdkafkaHandle is internal).
    private static IntPtr RdKafkaHandle(Handle handle)
    {
        var property = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException("Confluent.Kafka's Handle no longer has LibrdkafkaHandle; update KafkaMockCluster");
        return ((SafeHandle)property.GetValue(handle)!).DangerousGetHandle();
    }

    // The same file Confluent.Kafka loaded (on Debian 12 its bundled fallback build), so the mock API sees the same globals.
    private static IntPtr LoadLoadedLibrdkafka()
    {
        _ = Confluent.Kafka.Library.Version;
        var path = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .FirstOrDefault(p => p.Contains("librdkafka", StringComparison.Ordinal) && p.EndsWith(".so", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("librdkafka is not loaded in this process");
        return NativeLibrary.Load(path);
    }
}
